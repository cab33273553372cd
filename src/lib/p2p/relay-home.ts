import { Backoff } from './backoff.ts'
import { closeConnectionsTo } from './connectivity.ts'
import { circuitRelayId } from './relays.ts'
import { askForReservation } from './ask-relay.ts'
import type { PeerlinkNode } from './node.ts'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * While only another relay of the DHT holds our reservation, ours is tried
 * again after this long, then less and less often: friends' links name our
 * relay, and reaching us through another one costs each of them a refusal
 * and a DHT lookup first.
 */
export const HOME_RETRY_MIN_MS = 30_000
export const HOME_RETRY_MAX_MS = 10 * 60_000

/** What the relay keeper knows and the move home needs. */
export interface HomeKeeper {
  /** the peer IDs of the relays we are connected to */
  relayPeers: () => string[]
  /** our circuit address, once a reservation is there */
  circuitAddress: () => Multiaddr | undefined
  /** the keeper is stopped, or dialing relays itself: no move now */
  busy: () => boolean
  /** the relay connections changed: the keeper looks again */
  changed: () => void
}

/**
 * Moves our reservation from a fallback relay back to one of our own once it
 * answers again (RelayKeeper's failover is for the time ours is down).
 */
export class RelayHome {
  readonly #node: PeerlinkNode
  readonly #relays: Multiaddr[]
  readonly #ownIds: Set<string>
  readonly #keeper: HomeKeeper
  readonly #backoff = new Backoff({ minMs: HOME_RETRY_MIN_MS, maxMs: HOME_RETRY_MAX_MS })
  #timer: ReturnType<typeof setTimeout> | undefined

  /** `relays`: our own relay's addresses; `ownIds`: their peer IDs. */
  constructor (node: PeerlinkNode, relays: Multiaddr[], ownIds: Set<string>, keeper: HomeKeeper) {
    this.#node = node
    this.#relays = relays
    this.#ownIds = ownIds
    this.#keeper = keeper
  }

  /** Called on every relay change: a move home is due while the reservation is away, else nothing waits. */
  check (): void {
    if (!this.#reservedAway()) {
      clearTimeout(this.#timer)
      this.#timer = undefined
      if (this.#keeper.circuitAddress() != null) this.#backoff.reset()
      return
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined
      void this.#goHome()
    }, this.#backoff.next())
  }

  stop (): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** Our reservation is on a fallback relay (we may be connected to ours again: libp2p and the DHT dial it too). */
  #reservedAway (): boolean {
    const circuit = this.#keeper.circuitAddress()
    return circuit != null && !this.#ownIds.has(circuitRelayId(circuit))
  }

  /**
   * libp2p makes the new reservation: dropping the fallback leaves it one
   * short, and it picks among the relays it knows at random, so the fallback
   * is first made to look like no relay (its protocols are forgotten;
   * connecting to it again, the day ours is down, tells them anew). Not while
   * a conversation is carried through the fallback: dropping it would cut
   * that conversation.
   */
  async #goHome (): Promise<void> {
    const away = this.#keeper.relayPeers().filter(id => !this.#ownIds.has(id))
    if (this.#keeper.busy() || !this.#reservedAway() || away.length === 0 || carriesCircuits(this.#node, away)) {
      this.#keeper.changed()
      return
    }
    let home = this.#keeper.relayPeers().some(id => this.#ownIds.has(id))
    for (const addr of home ? [] : this.#relays) {
      try {
        await this.#node.dial(addr)
        home = true
        break
      } catch {
        // still down: try again later, less often
      }
    }
    if (this.#keeper.busy() || !home || carriesCircuits(this.#node, away)) {
      this.#keeper.changed()
      return
    }
    if (!(await this.#roomAtHome()) || this.#keeper.busy()) {
      this.#keeper.changed()
      return
    }
    for (const id of away) {
      const conn = this.#node.getConnections().find(c => c.remotePeer.toString() === id)
      if (conn == null) continue
      await this.#node.peerStore.patch(conn.remotePeer, { protocols: [] }).catch(() => {})
      await closeConnectionsTo(this.#node, id, 'moving back to our own relay')
    }
    this.#keeper.changed()
  }

  /**
   * Whether our relay takes a reservation now: the move is for a relay that
   * was down, and one that is full would refuse us, leaving us with none until
   * the keeper fails over again. (Granted, the reservation is ours already.)
   */
  async #roomAtHome (): Promise<boolean> {
    const conn = this.#node.getConnections().find(c => this.#ownIds.has(c.remotePeer.toString()) && c.status === 'open' && c.limits == null)
    if (conn == null) return false
    const answer = await askForReservation(conn)
    return answer !== 'full' && answer !== 'refused'
  }
}

/** Whether a relayed connection to a peer runs through one of these relays: dropping them would cut it. */
export function carriesCircuits (node: PeerlinkNode, relays: string[]): boolean {
  return node.getConnections().some(c => c.limits != null && relays.includes(circuitRelayId(c.remoteAddr)))
}
