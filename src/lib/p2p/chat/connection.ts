import type { Connection } from '@libp2p/interface'

/**
 * The connection chat sends on: an open unlimited one (a direct WebRTC
 * connection) first; a limited one, through a relay, only when the caller
 * allows it, since relays cap what they carry. Never dials.
 */
export function selectConnection (connections: Connection[], allowLimited: boolean): Connection | undefined {
  const open = connections.filter(c => c.status === 'open')
  const unlimited = open.find(c => c.limits == null)
  if (unlimited != null || !allowLimited) return unlimited
  return open.find(c => c.limits != null)
}
