import type { Connection } from '@libp2p/interface'

/**
 * The connection chat sends on: an open unlimited one (a direct WebRTC
 * connection) first; a limited one, through a relay, only when the caller
 * allows it, since relays cap what they carry. Never dials.
 *
 * Of several unlimited ones, the newest: when the peer reloads its page, its
 * old connection still looks open here for several seconds, and a frame sent
 * on it (an ack, above all) is lost while the peer waits on the new one.
 */
export function selectConnection (connections: Connection[], allowLimited: boolean): Connection | undefined {
  const open = connections.filter(c => c.status === 'open')
  const unlimited = newest(open.filter(c => c.limits == null))
  if (unlimited != null || !allowLimited) return unlimited
  return open.find(c => c.limits != null)
}

function newest (connections: Connection[]): Connection | undefined {
  let best: Connection | undefined
  for (const c of connections) {
    if (best == null || openedAt(c) > openedAt(best)) best = c
  }
  return best
}

function openedAt (c: Connection): number {
  // fakes in tests may have no timeline; they count as oldest
  return (c.timeline as Connection['timeline'] | undefined)?.open ?? 0
}
