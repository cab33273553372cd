import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'

/**
 * Peer IDs kept parsed, at most: a page talks with a handful of peers at a
 * time, and any peer that connects can send, so the cache must not grow with
 * every peer met over a long-lived tab.
 */
export const PEER_ID_CACHE_SIZE = 256

/**
 * Parses a peer ID once for the many uses that follow (every frame sent and
 * every indicator update needs one, and parsing decodes base58), keeping the
 * most recently used.
 */
export class PeerIdCache {
  readonly #parsed = new Map<string, PeerId>()

  get size (): number {
    return this.#parsed.size
  }

  /** Throws as peerIdFromString does for text that is not a peer ID. */
  get (peer: string): PeerId {
    let id = this.#parsed.get(peer)
    if (id != null) {
      // a Map iterates in insertion order: moved to the end, it is evicted last
      this.#parsed.delete(peer)
    } else {
      id = peerIdFromString(peer)
      if (this.#parsed.size >= PEER_ID_CACHE_SIZE) this.#parsed.delete(this.#parsed.keys().next().value as string)
    }
    this.#parsed.set(peer, id)
    return id
  }
}
