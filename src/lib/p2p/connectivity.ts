import { newestFirst } from './chat/index.ts'
import type { Connection, PeerId } from '@libp2p/interface'
import type { PeerlinkNode } from './node.ts'

/**
 * The rungs of the connectivity ladder as the user sees them. TURN is told
 * apart from Direct by the selected ICE candidate pair (a later step); until
 * then a WebRTC connection counts as Direct.
 */
export type LinkState = 'direct' | 'turn' | 'relayed' | 'connecting' | 'offline'

/**
 * A direct browser connection is one the WebRTC transport made: it carries no
 * relay limits. On the dialing side its remoteAddr still contains
 * /p2p-circuit/webrtc, so the address is not the test.
 */
export function isDirect (conn: Connection): boolean {
  return conn.status === 'open' && conn.limits == null && conn.multiplexer === '/webrtc'
}

export function isRelayed (conn: Connection): boolean {
  return conn.status === 'open' && conn.limits != null
}

/** The connection chat should use: a direct one when there is one. */
export function bestConnection (node: PeerlinkNode, peer: PeerId): Connection | undefined {
  const open = newestFirst(node.getConnections(peer).filter(c => c.status === 'open'))
  return open.find(isDirect) ?? open.find(c => c.limits == null) ?? open.find(isRelayed)
}

/**
 * The connection chat may use right now, or undefined when there is none: the
 * messenger sends only when this returns one, and dials otherwise.
 */
export function usableConnection (node: PeerlinkNode, peer: PeerId): Connection | undefined {
  const conn = bestConnection(node, peer)
  return conn != null && isDirect(conn) ? conn : undefined
}

/**
 * What the "Connection" indicator shows for a peer right now. It only names a
 * rung chat actually uses: a relayed connection left over from signaling does
 * not carry chat (yet), so on its own it counts as offline, not "Relayed".
 */
export function linkState (node: PeerlinkNode, peer: PeerId, dialing: boolean): LinkState {
  const conn = bestConnection(node, peer)
  if (conn != null && isDirect(conn)) return 'direct'
  if (dialing) return 'connecting'
  return 'offline'
}
