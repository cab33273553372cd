/** A peer ID is long; people recognise the end of it. */
export function shortPeer (peer: string): string {
  return peer.length > 12 ? `…${peer.slice(-8)}` : peer
}

export function displayName (peer: string, name: string | undefined): string {
  return name != null && name !== '' ? name : `Peer ${shortPeer(peer)}`
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
const dateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })

/** Today's messages show the time; older ones the date too. */
export function formatTime (ms: number, now = Date.now()): string {
  const sameDay = new Date(ms).toDateString() === new Date(now).toDateString()
  return (sameDay ? timeFormat : dateFormat).format(ms)
}

export const STATUS_LABELS = {
  queued: 'Queued',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read'
} as const
