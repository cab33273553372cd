import type { Connection } from '@libp2p/interface'

/**
 * After a peer reloads, its old connection still looks open here for a few
 * seconds while the new one is already up: the newest is the live one.
 */
export function newestFirst (connections: Connection[]): Connection[] {
  return [...connections].sort((a, b) => b.timeline.open - a.timeline.open)
}

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
  const open = newestFirst(connections.filter(c => c.status === 'open'))
  const unlimited = open.find(c => c.limits == null)
  if (unlimited != null || !allowLimited) return unlimited
  return open.find(c => c.limits != null)
}
