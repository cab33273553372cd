import { reachPeer, type Locate } from '../p2p/reach.ts'
import type { PeerlinkNode } from '../p2p/node.ts'
import type { Store } from '../store/index.ts'
import type { Connection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface DialsOptions {
  node: PeerlinkNode
  store: Store
  /** relays to signal through, best first */
  relays: () => Multiaddr[]
  /** finds the relays of a peer that none of ours reaches (the DHT) */
  locate: Locate
}

/**
 * How a peer is reached: one dial to it at a time, however many ask, and
 * each through the relay it was last found behind first (a link's, or where
 * a DHT lookup or an earlier dial found it), a hint that follows the peer
 * when it moves and is kept with its conversation for the next visit. When
 * to dial, and what follows a dial, is the Messenger's.
 */
export class Dials {
  readonly #o: DialsOptions
  /** a dial to a peer started or ended */
  readonly #onChange: (peer: string) => void
  readonly #dialing = new Map<string, Promise<Connection | undefined>>()
  readonly #hints = new Map<string, string>()

  constructor (options: DialsOptions, onChange: (peer: string) => void) {
    this.#o = options
    this.#onChange = onChange
  }

  has (peer: string): boolean {
    return this.#dialing.has(peer)
  }

  get size (): number {
    return this.#dialing.size
  }

  /** The relay to try first for this peer from now on (a link's). */
  hint (peer: string, relay: string): void {
    this.#hints.set(peer, relay)
  }

  /** Runs `dial` unless a dial to this peer is under way already: then its result is shared. */
  async share (peer: string, dial: () => Promise<Connection | undefined>): Promise<Connection | undefined> {
    let dialing = this.#dialing.get(peer)
    if (dialing == null) {
      dialing = dial().finally(() => {
        this.#dialing.delete(peer)
        this.#onChange(peer)
      })
      this.#dialing.set(peer, dialing)
      this.#onChange(peer)
    }
    return await dialing
  }

  /** Reaches the peer, the hint first (see reachPeer), and follows it; throws when it cannot. */
  async reach (peer: string, id: PeerId): Promise<Connection> {
    const hint = this.#hints.get(peer)
    const { conn, located, via } = await reachPeer(this.#o.node, id, this.relaysOf(peer), this.#o.locate)
    // the hint is tried first on every dial: once the peer was reached elsewhere
    // (it left the hinted relay, or that relay went down), it follows
    const next = located ?? (hint != null ? via : undefined)
    if (next != null && next !== hint) {
      this.#hints.set(peer, next)
      this.#o.store.conversations.setRelayHint(peer, next).catch(() => {})
    }
    return conn
  }

  /** the relays to signal through to a peer: where we last found it first, then ours */
  relaysOf (peer: string): Array<Multiaddr | string> {
    const hint = this.#hints.get(peer)
    const own = this.#o.relays()
    return hint != null ? [hint, ...own.filter(relay => relay.toString() !== hint)] : own
  }
}
