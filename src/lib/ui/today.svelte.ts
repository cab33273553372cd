/**
 * The time the rows' dates are shown relative to, moved on at each local
 * midnight. A row is drawn once: without this, a message shown as "23:50"
 * still read as today's the next morning in a page left open overnight (an
 * installed app stays open for days).
 */
let now = $state(Date.now())
let timer: ReturnType<typeof setTimeout> | undefined

/** Past midnight by this much, so a timer that fires a little early still finds the new day. */
const AFTER_MIDNIGHT_MS = 1_000

function nextMidnight (from: number): number {
  const midnight = new Date(from)
  // the next local midnight, whatever daylight saving does to the day's length
  midnight.setHours(24, 0, 0, 0)
  return midnight.getTime()
}

/** Waits for the midnight after the day `now` is in (at once if that has passed already). */
function schedule (): void {
  clearTimeout(timer)
  timer = setTimeout(tick, Math.max(0, nextMidnight(now) - Date.now()) + AFTER_MIDNIGHT_MS)
}

function tick (): void {
  now = Date.now()
  schedule()
}

function start (): void {
  // not by setting `now` here: this runs as a component draws, where state must not change
  if (timer != null) return
  schedule()
  // a device that slept through midnight runs the timer late: a page shown again looks at the clock
  if (typeof document !== 'undefined') {
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && new Date().toDateString() !== new Date(now).toDateString()) tick()
    })
  }
}

/** Now, as of the last midnight passed: reading it in a component redraws it when the day changes. */
export function today (): number {
  start()
  return now
}
