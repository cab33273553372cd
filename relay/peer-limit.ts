/**
 * A connection gater that caps the libp2p connections of one peer ID. The
 * upgrade proxy caps sockets per client address, but behind a reverse proxy
 * every client has the proxy's address; the peer ID is what tells them apart.
 * The gater runs right after Noise, when the peer ID is known and before a
 * muxer is set up; it counts only connections already open, so connections
 * still upgrading in parallel can slip past it, and a second check closes any
 * excess once they open.
 */
import type { Connection, ConnectionGater, Libp2p, PeerId } from '@libp2p/interface'

export interface PeerLimitInit {
  maxConnectionsPerPeer: number
  /** open connections of a peer now; read from the node once it exists */
  connectionsOf: (peer: PeerId) => number
  onRefused?: (peer: PeerId) => void
}

export class TooManyPeerConnectionsError extends Error {
  override name = 'TooManyPeerConnectionsError'
}

export function peerLimitGater (init: PeerLimitInit): ConnectionGater {
  return {
    denyInboundEncryptedConnection (peer: PeerId): boolean {
      if (init.connectionsOf(peer) < init.maxConnectionsPerPeer) return false
      init.onRefused?.(peer)
      return true
    }
  }
}

/** Closes an inbound connection that takes its peer past the limit; the peer keeps the ones it had. */
export function enforcePeerLimit (node: Libp2p, init: Omit<PeerLimitInit, 'connectionsOf'>): void {
  node.addEventListener('connection:open', (event: CustomEvent<Connection>) => {
    const connection = event.detail
    if (connection.direction !== 'inbound') return
    if (node.getConnections(connection.remotePeer).length <= init.maxConnectionsPerPeer) return
    init.onRefused?.(connection.remotePeer)
    connection.abort(new TooManyPeerConnectionsError(`more than ${init.maxConnectionsPerPeer} connections from one peer`))
  })
}
