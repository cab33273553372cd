import { TypedEventEmitter } from 'main-event'
import { isCarrier, isRelayed, useAsCarrier, type LinkState } from '../p2p/connectivity.ts'
import { ConnectionKeeper } from './connection-keeper.ts'
import { Delivery } from './delivery.ts'
import { FrameSender } from './frame-sender.ts'
import { InboundBudget } from './inbound-budget.ts'
import type { MessengerCounts, MessengerEvents, MessengerOptions } from './messenger-types.ts'
import { UnreadableFrames } from './unreadable-frames.ts'
import type { ChatFrame, ChatFrameEvent } from '../p2p/chat/index.ts'
import type { StoredMessage } from '../store/index.ts'
import type { Connection, PeerId } from '@libp2p/interface'

/**
 * Connects the delivery logic to the libp2p node: frames in and out, and the
 * peers we care about kept connected (ConnectionKeeper).
 */
export class Messenger extends TypedEventEmitter<MessengerEvents> {
  readonly delivery: Delivery
  readonly #o: MessengerOptions
  readonly #keeper: ConnectionKeeper
  readonly #inbound = new InboundBudget()
  readonly #unreadable = new UnreadableFrames((peer, message) => { this.#problem(peer, message) })
  readonly #sender: FrameSender

  /** Its counts now, a copy. */
  counts (): MessengerCounts {
    return {
      ...this.#keeper.stats,
      resends: this.delivery.resends,
      duplicates: this.delivery.duplicates,
      refusedFrames: this.#inbound.refused,
      unreadableFrames: this.#unreadable.count
    }
  }

  constructor (options: MessengerOptions) {
    super()
    this.#o = options
    this.#keeper = new ConnectionKeeper(options, {
      dialing: peer => { this.delivery.dialing(peer) },
      greet: peer => { void this.#greet(peer) },
      link: peer => { this.#emitLink(peer) },
      problem: (peer, message) => { this.#problem(peer, message) }
    })
    this.#sender = new FrameSender(options.node, () => { this.#keeper.stats.deadConnections++ })
    this.delivery = new Delivery({
      store: options.store,
      transport: options.blocklist.guard({
        usable: peer => this.#keeper.usable(peer) != null,
        // chat picks a direct connection when there is one; a relayed one is
        // only there when usableConnection() allowed it (the ladder)
        send: async (peer, frame) => { await this.#sender.send(this.#keeper.peerId(peer), frame, this.#keeper.usable(peer)) }
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
    this.#keeper.start()
  }

  stop (): void {
    const { node } = this.#o
    node.services.chat.removeEventListener('frame', this.#onFrame)
    node.services.chat.removeEventListener('protocol-error', this.#onUnreadable)
    this.delivery.stop()
    this.#keeper.stop()
  }

  isDialing (peer: string): boolean {
    return this.#keeper.isDialing(peer)
  }

  /** how many peers a dial is under way to (each change emits 'link') */
  get dialsInProgress (): number {
    return this.#keeper.dialsInProgress
  }

  /** What the "Connection" indicator shows for this peer now. */
  linkState (peer: string): LinkState {
    return this.#keeper.linkState(peer)
  }

  /** The UI has this conversation open: keep the peer connected until unwatch(). */
  watch (peer: string, relayHint?: string): void {
    this.#keeper.watch(peer, relayHint)
  }

  unwatch (peer: string): void {
    this.#keeper.unwatch(peer)
  }

  /** Makes sure there is a usable connection to the peer; concurrent calls share one dial. A blocked peer is not dialed. */
  async connect (peer: string): Promise<Connection | undefined> {
    return await this.#keeper.connect(peer)
  }

  /** Something changed that makes a dial likely to work now: see ConnectionKeeper.retryNow. */
  retryNow (bothSides = true): void {
    this.#keeper.retryNow(bothSides)
  }

  /** Stores a new message (queued), then sends it, connecting first if need be. */
  async send (peer: string, text: string): Promise<StoredMessage> {
    const message = await this.delivery.send(peer, text)
    if (this.#keeper.usable(peer) == null) void this.connect(peer)
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
    if (blocked) await this.#o.node.hangUp(this.#keeper.peerId(peer)).catch(() => {})
    else if (this.#keeper.usable(peer) != null) this.delivery.greet(peer).catch(() => {})
    else if (await this.#keeper.wanted(peer).catch(() => true)) void this.connect(peer)
    this.#emitLink(peer)
    this.safeDispatchEvent('conversations', { detail: { peer } })
  }

  /** Typing indicators are best effort: never queued, never retried. */
  sendTyping (peer: string, active: boolean): void {
    const connection = this.#keeper.usable(peer)
    if (connection == null) return
    this.#o.node.services.chat.send(this.#keeper.peerId(peer), { type: 'typing', active }, { connection }).catch(() => {})
  }

  readonly #onFrame = (evt: CustomEvent<ChatFrameEvent>): void => {
    const { from, frame, connection } = evt.detail
    // chat on a relayed connection: the peer found no direct path and chose it
    // (signaling circuits carry none), so it carries ours too, not only once
    // our own redial gets round to finding it
    if (isRelayed(connection) && !isCarrier(connection)) {
      useAsCarrier(connection)
      this.#keeper.connectionChanged(connection, true)
    }
    this.#receive(from.toString(), frame).catch((err: Error) => { this.#problem(from.toString(), err.message) })
  }

  readonly #onUnreadable = (evt: CustomEvent<{ from: PeerId }>): void => {
    const peer = evt.detail.from.toString()
    this.#unreadable.heard(peer, this.#keeper.isWatched(peer))
  }

  async #receive (peer: string, frame: ChatFrame): Promise<void> {
    // in a race with the block (its connection not closed yet): not stored, so not acked, and
    // its sender keeps it to send again once unblocked; nor a name, a receipt or a typing dot
    if (this.#o.blocklist.has(peer)) return
    await this.#inbound.handle(peer, frame, async () => { await this.delivery.receive(peer, frame) })
  }

  /**
   * The delivery's greeting on a new usable connection, and on a relayed one
   * a "not typing" frame after it, the smallest there is. The peer takes a
   * relayed connection as its carrier only once a frame comes on it
   * (#onFrame). A greeting with nothing queued, no name and no receipts says
   * nothing, and the peer's own queued messages then waited for its redial,
   * up to its longest back-off, while this side showed Relayed.
   */
  async #greet (peer: string): Promise<void> {
    await this.delivery.greet(peer).catch(() => {})
    const conn = this.#keeper.usable(peer)
    if (conn != null && isRelayed(conn)) this.sendTyping(peer, false)
  }

  #emitLink (peer: string): void {
    this.safeDispatchEvent('link', { detail: { peer } })
  }

  #problem (peer: string, message: string): void {
    this.safeDispatchEvent('problem', { detail: { peer, message } })
  }
}
