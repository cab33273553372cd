import type { Store } from '../store/index.ts'
import type { DeliveryTransport } from './delivery-types.ts'

/** What the transport throws for a frame to a blocked peer: the caller keeps it (the outbox) or lets it go (an ack). */
export class PeerBlockedError extends Error {
  static readonly NAME = 'PeerBlockedError'

  constructor () {
    super('You blocked this person: nothing is sent to them until you unblock them.')
    this.name = PeerBlockedError.NAME
  }
}

/**
 * The peers the user blocked. Kept on their conversations in the store, so a
 * block survives reloads, and held here as a set, since the connection gater
 * asks at every dial and connection and the messenger at every frame, neither
 * of which can wait for the store.
 */
export class Blocklist {
  readonly #store: Store
  readonly #peers = new Set<string>()

  constructor (store: Store) {
    this.#store = store
  }

  /**
   * Reads the blocked peers from the store; before the node starts, so that
   * no blocked peer gets in while it is read. A store that cannot be read
   * fails the start rather than let them in.
   */
  async load (): Promise<void> {
    for (const conversation of await this.#store.conversations.list()) {
      if (conversation.blocked === true) this.#peers.add(conversation.peer)
    }
  }

  /** the blocked peers as the gater reads them (the same set, kept current) */
  get peers (): ReadonlySet<string> {
    return this.#peers
  }

  has (peer: string): boolean {
    return this.#peers.has(peer)
  }

  /** Stored first: the set never says blocked what a reload would let in, or the other way round. */
  async set (peer: string, blocked: boolean): Promise<void> {
    await this.#store.conversations.setBlocked(peer, blocked)
    if (blocked) this.#peers.add(peer)
    else this.#peers.delete(peer)
  }

  /**
   * `transport`, with a blocked peer never usable and every frame to one
   * refused, whatever path it takes (a flush, an ack, a receipt, our name):
   * our messages wait in the outbox, and go once the peer is unblocked.
   */
  guard (transport: DeliveryTransport): DeliveryTransport {
    return {
      usable: peer => !this.has(peer) && transport.usable(peer),
      send: async (peer, frame) => {
        if (this.has(peer)) throw new PeerBlockedError()
        await transport.send(peer, frame)
      }
    }
  }
}
