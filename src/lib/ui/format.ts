export { labelText, peerLabel, peerText, shortPeer, type PeerLabel } from '../shared/names.ts'

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
const dateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
// without the year, last December's messages would read as this December's
const yearFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })

/**
 * Formatted times by message time, for the day they were formatted on: a
 * message's row is drawn again on each change of its delivery state, and
 * Intl formatting is the costliest part of that under a burst.
 */
const formatted = new Map<number, string>()
/** Enough for the rows on screen and a burst behind them; the cache starts over when full. */
const FORMATTED_MAX = 10_000
let formattedDay = ''

/** Today's messages show the time; older ones the date too, and the year unless it is this one. */
export function formatTime (ms: number, now = Date.now()): string {
  const today = new Date(now).toDateString()
  const year = new Date(now).getFullYear()
  if (today !== formattedDay || formatted.size >= FORMATTED_MAX) {
    formatted.clear()
    formattedDay = today
  }
  let text = formatted.get(ms)
  if (text == null) {
    const then = new Date(ms)
    text = (then.toDateString() === today ? timeFormat : then.getFullYear() === year ? dateFormat : yearFormat).format(ms)
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
