import { DATE_TIME_OPTIONS, TIME_OPTIONS } from './intl-options.ts'

/** A peer ID is long; people recognise the end of it. */
export function shortPeer (peer: string): string {
  return peer.length > 12 ? `…${peer.slice(-8)}` : peer
}

export function displayName (peer: string, name: string | undefined): string {
  return name != null && name !== '' ? name : `Peer ${shortPeer(peer)}`
}

/**
 * The first use of Intl in a renderer process loads ICU's locale data: 40 to
 * 80 ms of a new tab's main thread in the benchmark, right when that tab
 * starts the app and dials. The data is shared by the whole process, so a
 * worker loads it on another thread while the page starts, and the
 * formatters are made on first use, by when that is done or under way.
 */
function warmUpIntl (): void {
  if (typeof Worker !== 'function' || typeof document === 'undefined') return
  try {
    new Worker(new URL('./intl-warmup.worker.ts', import.meta.url), { type: 'module' })
  } catch {
    // no worker (a policy): the first formatted time pays for the data instead
  }
}
warmUpIntl()

let formats: { time: Intl.DateTimeFormat, date: Intl.DateTimeFormat } | undefined

/**
 * Formatted times by message time, for the day they were formatted on: a
 * message's row is drawn again on each change of its delivery state, and
 * Intl formatting is the costliest part of that under a burst.
 */
const formatted = new Map<number, string>()
/** Enough for the rows on screen and a burst behind them; the cache starts over when full. */
const FORMATTED_MAX = 10_000
let formattedDay = ''

/** Today's messages show the time; older ones the date too. */
export function formatTime (ms: number, now = Date.now()): string {
  const today = new Date(now).toDateString()
  if (today !== formattedDay || formatted.size >= FORMATTED_MAX) {
    formatted.clear()
    formattedDay = today
  }
  let text = formatted.get(ms)
  if (text == null) {
    formats ??= { time: new Intl.DateTimeFormat(undefined, TIME_OPTIONS), date: new Intl.DateTimeFormat(undefined, DATE_TIME_OPTIONS) }
    text = (new Date(ms).toDateString() === today ? formats.time : formats.date).format(ms)
    formatted.set(ms, text)
  }
  return text
}

export const STATUS_LABELS = {
  queued: 'Queued',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read'
} as const
