import { TypedEventEmitter } from 'main-event'
import { Backoff } from './backoff.ts'
import { closeConnectionsTo } from './connectivity.ts'
import { carriesCircuits, RelayHome } from './relay-home.ts'
import { askForReservation } from './ask-relay.ts'
import { KnownRelays, peerIdsOf } from './known-relays.ts'
import type { PeerlinkNode } from './node.ts'
import type { Multiaddr } from '@multiformats/multiaddr'

/** First retry soon: a relay restart usually takes a second or two. */
export const RECONNECT_MIN_MS = 500
/** Never hammer a relay that is down for long; 30 s keeps the wait short when it returns. */
export const RECONNECT_MAX_MS = 30_000
/**
 * A connected relay normally grants the reservation within a second. If it has
 * not after this long, the reservation logic is stuck (js-libp2p #3601), so
 * the connection is dropped and made again, which starts a fresh reservation.
 */
export const RESERVATION_GRACE_MS = 10_000
/**
 * A reservation normally lands within a few hundred milliseconds of the
 * connection. Still none after this: ask the relay ourselves, so that a full
 * relay is told apart from a slow one and the user learns it at once.
 */
export const RESERVATION_PROBE_MS = 2_000
/**
 * A full relay frees slots only as other browsers leave: ask again after a
 * while, less and less often, but never so rarely that a freed slot sits unused for long.
 */
export const FULL_RETRY_MIN_MS = 30_000
export const FULL_RETRY_MAX_MS = 5 * 60_000
/**
 * A reservation must have lasted this long for its loss to start the
 * reconnect back-off over: a relay that grants one and drops us at once
 * (pruning, a crash loop, a proxy cutting connections) would otherwise be
 * dialed every half second, each reservation waking every waiting redial.
 */
export const RESERVATION_STABLE_MS = 5_000

/** 'full': connected (we can still dial friends), but the relay refused us a reservation, so nobody can reach us */
export type RelayStatus = 'connecting' | 'connected' | 'reserved' | 'full' | 'offline'

export interface RelayKeeperEvents {
  status: CustomEvent<RelayStatus>
}

/**
 * Keeps this browser connected to a relay and holding a reservation on it, so
 * that peers can reach it through `<relay>/p2p-circuit/webrtc/p2p/<us>`.
 * libp2p does not re-dial a relay that went away, so this does, with jittered
 * back-off, and immediately when the browser comes back online. While our
 * own relay is down, another relay of the DHT holds the reservation, and
 * RelayHome moves it back once ours answers.
 */
export class RelayKeeper extends TypedEventEmitter<RelayKeeperEvents> {
  readonly #node: PeerlinkNode
  readonly #known: KnownRelays
  readonly #backoff = new Backoff({ minMs: RECONNECT_MIN_MS, maxMs: RECONNECT_MAX_MS })
  readonly #fullBackoff = new Backoff({ minMs: FULL_RETRY_MIN_MS, maxMs: FULL_RETRY_MAX_MS })
  readonly #home: RelayHome
  #status: RelayStatus = 'connecting'
  #timer: ReturnType<typeof setTimeout> | undefined
  #graceTimer: ReturnType<typeof setTimeout> | undefined
  #probeTimer: ReturnType<typeof setTimeout> | undefined
  #fullTimer: ReturnType<typeof setTimeout> | undefined
  #full = false
  /** when the current reservation appeared (monotonic clock), while there is one */
  #reservedAt: number | undefined
  #dialing = false
  #stopped = true

  /**
   * `relays` are this app's own relay (its addresses, best first);
   * `fallbacks` the other relays of the same DHT, used only while none of
   * ours answers: a reservation there, published in the DHT, keeps us
   * reachable by link while our relay is down. Given KnownRelays instead,
   * the keeper follows its list of other relays as it changes.
   */
  constructor (node: PeerlinkNode, relays: Multiaddr[] | KnownRelays, fallbacks: Multiaddr[] = []) {
    super()
    this.#node = node
    this.#known = relays instanceof KnownRelays ? relays : new KnownRelays(relays, fallbacks)
    const own = this.#known.own
    this.#home = new RelayHome(node, own, peerIdsOf(own), {
      relayPeers: () => this.relayPeers,
      circuitAddress: () => this.circuitAddress,
      busy: () => this.#stopped || this.#dialing,
      changed: () => { this.#update() }
    })
  }

  get status (): RelayStatus {
    return this.#status
  }

  /** the circuit address peers dial to reach us, once the reservation is there */
  get circuitAddress (): Multiaddr | undefined {
    return this.#node.getMultiaddrs().find(ma => ma.toString().includes('/p2p-circuit/webrtc/'))
  }

  /** the relay we are connected to, if any */
  get relayPeers (): string[] {
    const ids = this.#known.ids
    return this.#node.getConnections().map(c => c.remotePeer.toString()).filter(id => ids.has(id))
  }

  start (): void {
    this.#stopped = false
    this.#node.addEventListener('peer:disconnect', this.#onChange)
    this.#node.addEventListener('peer:connect', this.#onChange)
    this.#node.addEventListener('self:peer:update', this.#onChange)
    this.#node.addEventListener('transport:listening', this.#onChange)
    globalThis.addEventListener?.('online', this.reconnectNow)
    globalThis.document?.addEventListener('visibilitychange', this.#onVisibility)
    void this.#connect()
  }

  stop (): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    clearTimeout(this.#graceTimer)
    // a cleared timer left in place reads as one still armed: a restart would never arm it again
    this.#graceTimer = undefined
    clearTimeout(this.#probeTimer)
    clearTimeout(this.#fullTimer)
    this.#home.stop()
    this.#node.removeEventListener('peer:disconnect', this.#onChange)
    this.#node.removeEventListener('peer:connect', this.#onChange)
    this.#node.removeEventListener('self:peer:update', this.#onChange)
    this.#node.removeEventListener('transport:listening', this.#onChange)
    globalThis.removeEventListener?.('online', this.reconnectNow)
    globalThis.document?.removeEventListener('visibilitychange', this.#onVisibility)
  }

  /** skip the back-off wait, e.g. when the network or the tab comes back */
  readonly reconnectNow = (): void => {
    if (this.#stopped || this.relayPeers.length > 0) return
    clearTimeout(this.#timer)
    // a cleared timer left in place would read as a retry still waiting: none would be scheduled again
    this.#timer = undefined
    this.#backoff.reset()
    void this.#connect()
  }

  /** a phone back from the background: its relay connection may have gone, and a back-off step may be long */
  readonly #onVisibility = (): void => {
    if (globalThis.document?.visibilityState === 'visible') this.reconnectNow()
  }

  readonly #onChange = (): void => {
    this.#update()
  }

  #update (): void {
    if (this.#stopped) return
    const connected = this.relayPeers.length > 0
    if (!connected || this.circuitAddress != null) {
      this.#full = false
      clearTimeout(this.#fullTimer)
    }
    if (this.circuitAddress != null) {
      this.#reservedAt ??= performance.now()
      this.#fullBackoff.reset()
    } else if (this.#reservedAt != null) {
      if (performance.now() - this.#reservedAt >= RESERVATION_STABLE_MS) this.#backoff.reset()
      this.#reservedAt = undefined
    }
    const next: RelayStatus = this.circuitAddress != null
      ? 'reserved'
      : connected ? (this.#full ? 'full' : 'connected') : this.#dialing ? 'connecting' : 'offline'
    if (next === 'connected' && this.#graceTimer == null) {
      this.#graceTimer = setTimeout(() => { void this.#redoReservation() }, RESERVATION_GRACE_MS)
      this.#probeTimer = setTimeout(() => { void this.#probe() }, RESERVATION_PROBE_MS)
    }
    if (next !== 'connected') {
      clearTimeout(this.#graceTimer)
      clearTimeout(this.#probeTimer)
      this.#graceTimer = undefined
    }
    if (!connected && !this.#dialing && this.#timer == null) {
      this.#schedule()
    }
    this.#home.check()
    this.#setStatus(next)
  }

  /**
   * Still no reservation: ask the relay whether it has room. A refusal
   * shows as 'full' at once; we keep the connection (friends can still be
   * dialed through it) and ask again later over a fresh connection, which
   * makes libp2p try a reservation again.
   */
  async #probe (): Promise<void> {
    const conn = this.#node.getConnections().find(c => this.relayPeers.includes(c.remotePeer.toString()) && c.status === 'open')
    if (this.#stopped || conn == null || this.circuitAddress != null) return
    const answer = await askForReservation(conn)
    if (this.#stopped || this.circuitAddress != null || (answer !== 'full' && answer !== 'refused')) return
    this.#full = true
    this.#retryFull()
    this.#update()
    await this.#failOver()
  }

  /**
   * Our relay has no room: a reservation on another relay of the DHT keeps us
   * reachable (published in the DHT, as while ours is down) rather than by
   * nobody. libp2p asks the first relay it identifies with room; RelayHome
   * tries ours again later, and the keeper fails over again while it is full.
   */
  async #failOver (): Promise<void> {
    for (const addr of this.#known.others) {
      if (this.#stopped || this.circuitAddress != null) return
      try {
        await this.#node.dial(addr)
        return
      } catch {
        // that one is down too: the next
      }
    }
  }

  /** Asks the full relay again later, over a fresh connection; not while it carries a conversation. */
  #retryFull (): void {
    clearTimeout(this.#fullTimer)
    this.#fullTimer = setTimeout(() => {
      if (this.#carriesCircuits()) {
        this.#retryFull()
        return
      }
      this.#full = false
      void this.#reconnect()
    }, this.#fullBackoff.next())
  }

  /** A friend's relayed conversation runs through our relay connection: dropping it would cut that. */
  #carriesCircuits (): boolean {
    return carriesCircuits(this.#node, this.relayPeers)
  }

  #setStatus (status: RelayStatus): void {
    if (status === this.#status) return
    this.#status = status
    this.safeDispatchEvent('status', { detail: status })
  }

  #schedule (): void {
    const delay = this.#backoff.next()
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#connect()
    }, delay)
  }

  async #connect (): Promise<void> {
    if (this.#stopped || this.#dialing) return
    this.#dialing = true
    this.#setStatus('connecting')
    try {
      for (const addr of [...this.#known.own, ...this.#known.others]) {
        try {
          // the back-off is reset once the reservation lands, not here: a relay
          // that takes connections and drops them (full, pruning, shutting
          // down) would otherwise be dialed again every half second for good
          await this.#node.dial(addr)
          return
        } catch {
          // try the relay's next address, then the other relays; if none works, back off below
        }
      }
    } finally {
      this.#dialing = false
      this.#update()
    }
  }

  async #redoReservation (): Promise<void> {
    this.#graceTimer = undefined
    if (this.#stopped || this.circuitAddress != null) return
    // a conversation through it matters more: the probe and the full retry still ask for a reservation
    if (this.#carriesCircuits()) return
    await this.#reconnect()
  }

  /** Drops the relay connections; the next dial makes libp2p ask for a reservation afresh. */
  async #reconnect (): Promise<void> {
    for (const id of this.relayPeers) await closeConnectionsTo(this.#node, id, 'relay reservation stuck')
    this.#update()
  }
}
