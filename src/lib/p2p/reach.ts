import { connectPeer, PeerUnreachableError } from './dial.ts'
import { relaysOf } from './locator.ts'
import type { PeerlinkNode } from './node.ts'
import type { Connection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface Reached {
  conn: Connection
  /** the relay a DHT lookup found the peer through, when the relays we knew did not reach it */
  located?: string
  /** the relay the connection was made through, when its address names one */
  via?: string
}

/** Looks a peer's relays up by peer ID (see Locator.find). */
export type Locate = (peer: PeerId, options?: { signal?: AbortSignal }) => Promise<string[]>

/**
 * Reaches a peer known only by its peer ID: first through the relays we
 * already know (a link's hint or the last place we found it, then our own
 * relays), which costs one quick refusal when the peer holds no reservation
 * there; then through the relays its signed DHT record names, which is how
 * friends on different relays find each other.
 */
export async function reachPeer (node: PeerlinkNode, peer: PeerId, relays: Array<Multiaddr | string>, locate: Locate, options: { signal?: AbortSignal } = {}): Promise<Reached> {
  try {
    const conn = await connectPeer(node, peer, relays, options)
    // the dialing side's remote address still names the relay the signaling went through
    return { conn, via: relaysOf([conn.remoteAddr])[0] }
  } catch (err) {
    if (!(err instanceof PeerUnreachableError)) throw err
    const tried = new Set(relays.map(String))
    const found = (await locate(peer, options)).filter(relay => !tried.has(relay))
    if (found.length === 0) throw err
    const conn = await connectPeer(node, peer, found, options)
    const located = relaysOf([conn.remoteAddr])[0] ?? found[0]
    return { conn, located, via: located }
  }
}
