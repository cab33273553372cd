import { upgradeFromRelayed } from '../p2p/dial.ts'
import { isDirect, linkState, usableConnection, type LinkState } from '../p2p/connectivity.ts'
import { watchConnections } from '../p2p/connection-watch.ts'
import { rememberPathIfNeeded } from '../p2p/ice-path.ts'
import { Liveness } from '../p2p/liveness.ts'
import { PeerIdCache } from '../p2p/peer-id-cache.ts'
import { Dials } from './dials.ts'
import type { MessengerOptions } from './messenger-types.ts'
import { Redials } from './redials.ts'
import type { Connection, PeerId } from '@libp2p/interface'

/** What the keeper asks of the messenger it works for. */
export interface KeeperHooks {
  /** a first dial to the peer starts (not a redial): what its connection will need first can be made ready meanwhile */
  dialing?: (peer: string) => void
  /** a usable connection to the peer opened, or was chosen: send what waits for it */
  greet: (peer: string) => void
  /** the peer's connection indicator may have changed */
  link: (peer: string) => void
  problem: (peer: string, message: string) => void
}

/**
 * Keeps the peers we care about (an open conversation, or messages still
 * waiting for them) connected: redial with back-off when they drop, at once
 * when the tab becomes visible or the network comes back, and ping them so a
 * dead connection is replaced rather than reused.
 */
export class ConnectionKeeper {
  readonly #o: MessengerOptions
  readonly #hooks: KeeperHooks
  readonly #dials: Dials
  readonly #watched = new Map<string, number>()
  readonly #redials: Redials
  readonly #liveness: Liveness
  readonly #peerIds = new PeerIdCache()
  /** stops listening to connections and their paths (a stopped keeper must not act on them) */
  #unwatchConnections = (): void => {}
  #stopped = false
  /** dials made to peers, and how many of them were redials after a drop or failure (diagnostics) */
  readonly stats = { dials: 0, redials: 0, deadConnections: 0 }

  constructor (options: MessengerOptions, hooks: KeeperHooks) {
    this.#o = options
    this.#hooks = hooks
    this.#dials = new Dials(options, peer => { hooks.link(peer) })
    this.#redials = new Redials(options.node.peerId.toString(), peer => { void this.connect(peer) })
    this.#liveness = new Liveness(options.node, { onDead: () => { this.stats.deadConnections++ } })
  }

  start (): void {
    this.#unwatchConnections = watchConnections(this.#o.node, (conn, up) => { this.connectionChanged(conn, up) })
    globalThis.addEventListener?.('online', this.#online)
    globalThis.document?.addEventListener('visibilitychange', this.#visible)
    this.#liveness.start()
    void this.#resumeOutboxes()
  }

  stop (): void {
    this.#stopped = true
    this.#unwatchConnections()
    globalThis.removeEventListener?.('online', this.#online)
    globalThis.document?.removeEventListener('visibilitychange', this.#visible)
    this.#liveness.stop()
    this.#redials.stop()
    // the open conversations' indicators: nothing goes out from here any more
    for (const peer of this.#watched.keys()) this.#hooks.link(peer)
  }

  isDialing (peer: string): boolean {
    return this.#dials.has(peer)
  }

  /** how many peers a dial is under way to (each change calls the `link` hook) */
  get dialsInProgress (): number {
    return this.#dials.size
  }

  /** whether the UI has this conversation open */
  isWatched (peer: string): boolean {
    return this.#watched.has(peer)
  }

  /** What the "Connection" indicator shows for this peer now. */
  linkState (peer: string): LinkState {
    if (this.#stopped) return 'offline'
    return linkState(this.#o.node, this.peerId(peer), this.isDialing(peer))
  }

  /** The UI has this conversation open: keep the peer connected until unwatch(). */
  watch (peer: string, relayHint?: string): void {
    if (relayHint != null) this.#dials.hint(peer, relayHint)
    this.#watched.set(peer, (this.#watched.get(peer) ?? 0) + 1)
    void this.connect(peer)
  }

  unwatch (peer: string): void {
    const count = (this.#watched.get(peer) ?? 1) - 1
    if (count > 0) this.#watched.set(peer, count)
    else this.#watched.delete(peer)
  }

  /** Makes sure there is a usable connection to the peer; concurrent calls share one dial. A blocked peer is not dialed. */
  async connect (peer: string): Promise<Connection | undefined> {
    if (this.#o.blocklist.has(peer)) return undefined
    const existing = this.usable(peer)
    if (existing != null || this.#stopped) return existing
    return await this.#dials.share(peer, () => this.#dial(peer))
  }

  /** Whether we still care to reach the peer: its conversation is open, or messages wait for it. */
  async wanted (peer: string): Promise<boolean> {
    if (this.#watched.has(peer)) return true
    return (await this.#o.store.messages.outbox(peer)).length > 0
  }

  /**
   * Something changed that makes a dial likely to work now (the tab is visible
   * again, the network or the relay is back): try everyone we are waiting to
   * redial now, not at the next back-off step. `bothSides` as in Redials.now:
   * the relay and the network may come back for the peer too.
   */
  retryNow (bothSides = true): void {
    this.#redials.now(bothSides)
    // the old connections may well be dead now (a new network, a phone that slept)
    void this.#liveness.check({ soon: true })
  }

  peerId (peer: string): PeerId {
    return this.#peerIds.get(peer)
  }

  usable (peer: string): Connection | undefined {
    return usableConnection(this.#o.node, this.peerId(peer))
  }

  /** `up`: the connection opened or its path came up; else it closed or its path went down. */
  connectionChanged (conn: Connection, up: boolean): void {
    const peer = conn.remotePeer.toString()
    // one that was on its way as the peer was blocked, past the gater already
    if (up && this.#o.blocklist.has(peer)) {
      conn.close().catch(() => { conn.abort(new Error('the peer is blocked')) })
      return
    }
    this.#hooks.link(peer)
    const usable = this.usable(peer)
    if (up && usable === conn) {
      this.#redials.connected(peer)
      // either side of it: the path, where the browser cannot tell the TURN indicator at once
      if (isDirect(conn)) void rememberPathIfNeeded(conn).then(kept => { if (kept && !this.#stopped) this.#hooks.link(peer) })
      // the user is looking at this conversation: a message is likely to follow
      if (this.#watched.has(peer)) this.#o.node.services.chat.prepare(conn)
      this.#hooks.greet(peer)
    } else if (!up && usable == null) {
      void this.#scheduleRedial(peer)
    } else if (!up && usable != null && !isDirect(usable) && conn.limits == null) {
      // the direct path died and the relayed fallback carries the chat: climb
      // back up (not when a signaling circuit closes: every attempt leaves one)
      upgradeFromRelayed(this.#o.node, this.peerId(peer), this.#dials.relaysOf(peer), { directLost: true })
    }
  }

  async #dial (peer: string): Promise<Connection | undefined> {
    this.stats.dials++
    // a redial of a peer that was away mostly fails again, and the read begun
    // for its greeting would be thrown away with it, every back-off step
    if (this.#redials.failedBefore(peer)) this.stats.redials++
    else this.#hooks.dialing?.(peer)
    try {
      const conn = await this.#dials.reach(peer, this.peerId(peer))
      // gone again while the dial finished: its close asked for a redial, which this must not cancel
      if (this.usable(peer) == null) {
        void this.#scheduleRedial(peer)
        return undefined
      }
      this.#redials.connected(peer)
      // a direct connection is greeted when it opens; the relayed rung is only chosen now
      if (!isDirect(conn)) this.#hooks.greet(peer)
      return conn
    } catch {
      // an unreachable peer is no error to shout about: the indicator says
      // Offline, messages stay queued, and we try again later
      void this.#scheduleRedial(peer)
      return undefined
    }
  }

  async #scheduleRedial (peer: string): Promise<void> {
    if (this.#stopped || this.#redials.isWaiting(peer)) return
    // an outbox that cannot be read may hold messages: redial rather than strand them
    if (!(await this.wanted(peer).catch(() => true))) return
    // stopped while the outbox was read: no timer may outlive the keeper
    if (this.#stopped) return
    // the peer reached us meanwhile (a dial of ours that failed late): a
    // schedule now would forget when that connection began, and its drop,
    // however late, would not start the back-off over
    if (this.usable(peer) != null) return
    this.#redials.schedule(peer)
  }

  /** The network came back: a hidden tab redials too (its messages are waiting all the same). */
  readonly #online = (): void => { this.retryNow() }

  /** The tab became visible again: timers may have been throttled while it was hidden. */
  readonly #visible = (): void => {
    if (globalThis.document?.visibilityState !== 'hidden') this.retryNow(false)
  }

  /** After a reload, messages queued before it go out as soon as their peers can be reached. */
  async #resumeOutboxes (): Promise<void> {
    let peers: string[]
    try {
      peers = (await this.#o.store.conversations.list()).map(c => c.peer)
    } catch (err) {
      this.#hooks.problem('', (err as Error).message)
      return
    }
    for (const peer of peers) {
      // one outbox that cannot be read says so, and keeps none of the others waiting;
      // it may hold messages: dial rather than strand them, as a redial does
      const waiting = await this.wanted(peer).catch((err: Error) => {
        this.#hooks.problem(peer, err.message)
        return true
      })
      if (this.#stopped) return
      if (waiting) void this.connect(peer)
    }
  }
}
