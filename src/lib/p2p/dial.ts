import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { DIAL_ATTEMPTS, DIAL_TIMEOUT_MS } from './constants.ts'
import { isDirect } from './connectivity.ts'
import { MARKS, mark } from '../shared/marks.ts'
import type { PeerlinkNode } from './node.ts'
import type { Connection, PeerId } from '@libp2p/interface'

export class PeerUnreachableError extends Error {
  override name = 'PeerUnreachableError'
}

/** `<relay>/p2p-circuit/webrtc/p2p/<peer>`: signal through the relay, then connect directly. */
export function webrtcAddress (relay: Multiaddr | string, peer: PeerId): Multiaddr {
  return multiaddr(relay.toString()).encapsulate(`/p2p-circuit/webrtc/p2p/${peer.toString()}`)
}

/**
 * Gets a connection chat can use to a peer, climbing the connectivity ladder:
 * for now the direct WebRTC rung only.
 */
export async function connectPeer (node: PeerlinkNode, peer: PeerId, relays: Array<Multiaddr | string>, options: { signal?: AbortSignal } = {}): Promise<Connection> {
  return await dialDirect(node, peer, relays, options)
}

/**
 * Opens a direct WebRTC connection to a peer through one of the relays (a
 * link's relay hint first). Returns an existing direct connection when there
 * is one. The dialing side needs only a connection to the relay, not its own
 * reservation, so this does not wait for ours.
 */
export async function dialDirect (node: PeerlinkNode, peer: PeerId, relays: Array<Multiaddr | string>, options: { signal?: AbortSignal } = {}): Promise<Connection> {
  const existing = node.getConnections(peer).find(isDirect)
  if (existing != null) return existing
  mark(MARKS.dialStart)
  let lastError: unknown
  for (let attempt = 0; attempt < DIAL_ATTEMPTS; attempt++) {
    for (const relay of relays) {
      options.signal?.throwIfAborted()
      try {
        const signal = AbortSignal.any([AbortSignal.timeout(DIAL_TIMEOUT_MS), ...(options.signal != null ? [options.signal] : [])])
        const conn = await node.dial(webrtcAddress(relay, peer), { signal })
        if (isDirect(conn)) {
          mark(MARKS.dialDirect)
          return conn
        }
        lastError = new Error('the connection is not direct')
      } catch (err) {
        lastError = err
      }
    }
  }
  throw new PeerUnreachableError(`Cannot reach ${peer.toString()}: ${(lastError as Error | undefined)?.message ?? 'no relay to go through'}`)
}
