import { TypedEventEmitter } from 'main-event'
import { upgradeFromRelayed } from '../p2p/dial.ts'
import { isCarrier, isDirect, isRelayed, linkState, usableConnection, useAsCarrier, type LinkState } from '../p2p/connectivity.ts'
import { watchConnections } from '../p2p/connection-watch.ts'
import { rememberPathIfNeeded } from '../p2p/ice-path.ts'
import { Liveness } from '../p2p/liveness.ts'
import { PeerIdCache } from '../p2p/peer-id-cache.ts'
import { Delivery } from './delivery.ts'
import { Dials } from './dials.ts'
import { FrameSender } from './frame-sender.ts'
import { InboundBudget } from './inbound-budget.ts'
import type { MessengerEvents, MessengerOptions } from './messenger-types.ts'
import { Redials } from './redials.ts'
import { UnreadableFrames } from './unreadable-frames.ts'
import type { ChatFrame, ChatFrameEvent } from '../p2p/chat/index.ts'
import type { StoredMessage } from '../store/index.ts'
import type { Connection, PeerId } from '@libp2p/interface'

/**
 * Connects the delivery logic to the libp2p node and keeps the peers we care
 * about (an open conversation, or messages still waiting for them) connected:
 * redial with back-off when they drop, at once when the tab becomes visible or
 * the network comes back, and ping them so a dead connection is replaced
 * rather than reused.
 */
export class Messenger extends TypedEventEmitter<MessengerEvents> {
  readonly delivery: Delivery
  readonly #o: MessengerOptions
  readonly #dials: Dials
  readonly #watched = new Map<string, number>()
  readonly #redials: Redials
  readonly #liveness: Liveness
  readonly #inbound = new InboundBudget()
  readonly #unreadable = new UnreadableFrames((peer, message) => { this.safeDispatchEvent('problem', { detail: { peer, message } }) })
  readonly #sender: FrameSender
  /** stops listening to connections and their paths (a stopped messenger must not act on them) */
  #unwatchConnections = (): void => {}
  readonly #peerIds = new PeerIdCache()
  #stopped = false
  /** dials made to peers, and how many of them were redials after a drop or failure (diagnostics) */
  readonly stats = { dials: 0, redials: 0, deadConnections: 0 }

  /** frames turned away because their peer's frames in hand weighed too much (see InboundBudget) */
  get refusedFrames (): number {
    return this.#inbound.refused
  }

  /** frames the chat could not read, each of which reset its stream (see UnreadableFrames) */
  get unreadableFrames (): number {
    return this.#unreadable.count
  }

  constructor (options: MessengerOptions) {
    super()
    this.#o = options
    this.#dials = new Dials(options, peer => { this.#emitLink(peer) })
    this.#redials = new Redials(options.node.peerId.toString(), peer => { void this.connect(peer) })
    this.#liveness = new Liveness(options.node, { onDead: () => { this.stats.deadConnections++ } })
    this.#sender = new FrameSender(options.node, () => { this.stats.deadConnections++ })
    this.delivery = new Delivery({
      store: options.store,
      transport: options.blocklist.guard({
        usable: peer => this.#usable(peer) != null,
        // chat picks a direct connection when there is one; a relayed one is
        // only there when usableConnection() allowed it (the ladder)
        send: async (peer, frame) => { await this.#sender.send(this.#peerId(peer), frame, this.#usable(peer)) }
      }),
      isReading: options.isReading,
      name: options.name,
      readReceipts: options.readReceipts
    })
    for (const type of ['messages', 'arriving', 'withdrawn', 'conversations', 'typing', 'problem'] as const) {
      this.delivery.addEventListener(type, (evt: CustomEvent) => { this.safeDispatchEvent(type, { detail: evt.detail }) })
    }
  }

  start (): void {
    const { node } = this.#o
    node.services.chat.addEventListener('frame', this.#onFrame)
    node.services.chat.addEventListener('protocol-error', this.#onUnreadable)
    this.#unwatchConnections = watchConnections(node, (conn, up) => { this.#connectionChanged(conn, up) })
    globalThis.addEventListener?.('online', this.#online)
    globalThis.document?.addEventListener('visibilitychange', this.#visible)
    this.#liveness.start()
    void this.#resumeOutboxes()
  }

  stop (): void {
    this.#stopped = true
    const { node } = this.#o
    node.services.chat.removeEventListener('frame', this.#onFrame)
    node.services.chat.removeEventListener('protocol-error', this.#onUnreadable)
    this.#unwatchConnections()
    globalThis.removeEventListener?.('online', this.#online)
    globalThis.document?.removeEventListener('visibilitychange', this.#visible)
    this.#liveness.stop()
    this.#redials.stop()
    this.delivery.stop()
    // the open conversations' indicators: nothing goes out from here any more
    for (const peer of this.#watched.keys()) this.#emitLink(peer)
  }

  isDialing (peer: string): boolean {
    return this.#dials.has(peer)
  }

  /** how many peers a dial is under way to (each change emits 'link') */
  get dialsInProgress (): number {
    return this.#dials.size
  }

  /** What the "Connection" indicator shows for this peer now. */
  linkState (peer: string): LinkState {
    if (this.#stopped) return 'offline'
    return linkState(this.#o.node, this.#peerId(peer), this.isDialing(peer))
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

  /** Stores a new message (queued), then sends it, connecting first if need be. */
  async send (peer: string, text: string): Promise<StoredMessage> {
    const message = await this.delivery.send(peer, text)
    if (this.#usable(peer) == null) void this.connect(peer)
    return message
  }

  async markRead (peer: string): Promise<void> {
    await this.delivery.markRead(peer)
  }

  /**
   * Blocks or unblocks `peer`, stored first. Blocked, the gater (which reads
   * the same list) refuses the peer, what is open to it is closed and nothing
   * dials it (see connect). Unblocked, it is reached as any conversation is.
   */
  async setBlocked (peer: string, blocked: boolean): Promise<void> {
    await this.#o.blocklist.set(peer, blocked)
    if (blocked) await this.#o.node.hangUp(this.#peerId(peer)).catch(() => {})
    else if (this.#usable(peer) != null) this.delivery.greet(peer).catch(() => {})
    else if (await this.#wanted(peer).catch(() => true)) void this.connect(peer)
    this.#emitLink(peer)
    this.safeDispatchEvent('conversations', { detail: { peer } })
  }

  /** Typing indicators are best effort: never queued, never retried. */
  sendTyping (peer: string, active: boolean): void {
    const connection = this.#usable(peer)
    if (connection == null) return
    this.#o.node.services.chat.send(this.#peerId(peer), { type: 'typing', active }, { connection }).catch(() => {})
  }

  /** Makes sure there is a usable connection to the peer; concurrent calls share one dial. A blocked peer is not dialed. */
  async connect (peer: string): Promise<Connection | undefined> {
    if (this.#o.blocklist.has(peer)) return undefined
    const existing = this.#usable(peer)
    if (existing != null || this.#stopped) return existing
    return await this.#dials.share(peer, () => this.#dial(peer))
  }

  async #dial (peer: string): Promise<Connection | undefined> {
    this.stats.dials++
    if (this.#redials.failedBefore(peer)) this.stats.redials++
    try {
      const conn = await this.#dials.reach(peer, this.#peerId(peer))
      // gone again while the dial finished: its close asked for a redial, which this must not cancel
      if (this.#usable(peer) == null) {
        void this.#scheduleRedial(peer)
        return undefined
      }
      this.#redials.connected(peer)
      // a direct connection is greeted when it opens; the relayed rung is only chosen now
      if (!isDirect(conn)) this.delivery.greet(peer).catch(() => {})
      return conn
    } catch {
      // an unreachable peer is no error to shout about: the indicator says
      // Offline, messages stay queued, and we try again later
      void this.#scheduleRedial(peer)
      return undefined
    }
  }

  async #wanted (peer: string): Promise<boolean> {
    if (this.#watched.has(peer)) return true
    return (await this.#o.store.messages.outbox(peer)).length > 0
  }

  async #scheduleRedial (peer: string): Promise<void> {
    if (this.#stopped || this.#redials.isWaiting(peer)) return
    // an outbox that cannot be read may hold messages: redial rather than strand them
    if (!(await this.#wanted(peer).catch(() => true))) return
    // stopped while the outbox was read: no timer may outlive the messenger
    if (!this.#stopped) this.#redials.schedule(peer)
  }

  /**
   * Something changed that makes a dial likely to work now (the tab is visible
   * again, the network or the relay is back): try everyone we are waiting to
   * redial now, not at the next back-off step. `bothSides` as in Redials.now:
   * the relay and the network may come back for the peer too.
   */
  retryNow (bothSides = true): void {
    this.#redials.now(bothSides)
    void this.#liveness.check()
  }

  /** The network came back: a hidden tab redials too (its messages are waiting all the same). */
  readonly #online = (): void => { this.retryNow() }

  /** The tab became visible again: timers may have been throttled while it was hidden. */
  readonly #visible = (): void => {
    if (globalThis.document?.visibilityState !== 'hidden') this.retryNow(false)
  }

  /** After a reload, messages queued before it go out as soon as their peers can be reached. */
  async #resumeOutboxes (): Promise<void> {
    try {
      for (const { peer } of await this.#o.store.conversations.list()) {
        if ((await this.#o.store.messages.outbox(peer)).length > 0) void this.connect(peer)
      }
    } catch (err) {
      this.safeDispatchEvent('problem', { detail: { peer: '', message: (err as Error).message } })
    }
  }

  #peerId (peer: string): PeerId {
    return this.#peerIds.get(peer)
  }

  #usable (peer: string): Connection | undefined {
    return usableConnection(this.#o.node, this.#peerId(peer))
  }

  /** `up`: the connection opened or its path came up; else it closed or its path went down. */
  #connectionChanged (conn: Connection, up: boolean): void {
    const peer = conn.remotePeer.toString()
    // one that was on its way as the peer was blocked, past the gater already
    if (up && this.#o.blocklist.has(peer)) {
      conn.close().catch(() => { conn.abort(new Error('the peer is blocked')) })
      return
    }
    this.#emitLink(peer)
    const usable = this.#usable(peer)
    if (up && usable === conn) {
      this.#redials.connected(peer)
      // either side of it: the path, where the browser cannot tell the TURN indicator at once
      if (isDirect(conn)) void rememberPathIfNeeded(conn).then(kept => { if (kept && !this.#stopped) this.#emitLink(peer) })
      // the user is looking at this conversation: a message is likely to follow
      if (this.#watched.has(peer)) this.#o.node.services.chat.prepare(conn)
      this.delivery.greet(peer).catch(() => {})
    } else if (!up && usable == null) {
      void this.#scheduleRedial(peer)
    } else if (!up && usable != null && !isDirect(usable) && conn.limits == null) {
      // the direct path died and the relayed fallback carries the chat: climb
      // back up (not when a signaling circuit closes: every attempt leaves one)
      upgradeFromRelayed(this.#o.node, this.#peerId(peer), this.#dials.relaysOf(peer), { directLost: true })
    }
  }

  readonly #onFrame = (evt: CustomEvent<ChatFrameEvent>): void => {
    const { from, frame, connection } = evt.detail
    // chat on a relayed connection: the peer found no direct path and chose it
    // (signaling circuits carry none), so it carries ours too, not only once
    // our own redial gets round to finding it
    if (isRelayed(connection) && !isCarrier(connection)) {
      useAsCarrier(connection)
      this.#connectionChanged(connection, true)
    }
    this.#receive(from.toString(), frame).catch((err: Error) => {
      this.safeDispatchEvent('problem', { detail: { peer: from.toString(), message: err.message } })
    })
  }

  readonly #onUnreadable = (evt: CustomEvent<{ from: PeerId }>): void => {
    const peer = evt.detail.from.toString()
    this.#unreadable.heard(peer, this.#watched.has(peer))
  }

  async #receive (peer: string, frame: ChatFrame): Promise<void> {
    // in a race with the block (its connection not closed yet): not stored, so not acked, and
    // its sender keeps it to send again once unblocked; nor a name, a receipt or a typing dot
    if (this.#o.blocklist.has(peer)) return
    await this.#inbound.handle(peer, frame, async () => { await this.delivery.receive(peer, frame) })
  }

  #emitLink (peer: string): void {
    this.safeDispatchEvent('link', { detail: { peer } })
  }
}
