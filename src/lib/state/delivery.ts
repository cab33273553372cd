import { TypedEventEmitter } from 'main-event'
import { MAX_IDS_PER_FRAME, type ChatFrame } from '../p2p/chat/index.ts'
import { bytesToHex, hexToBytes, type StoredMessage } from '../store/index.ts'
import { Batcher } from './batcher.ts'
import { BATCHES_IN_FLIGHT, MAX_BATCH } from './batch-size.ts'
import { CoalescedRuns } from './coalesced-runs.ts'
import { assertShowsText, SentNotSavedError } from './errors.ts'
import { InFlight } from './in-flight.ts'
import { Inbox } from './inbox.ts'
import { LateSent } from './late-sent.ts'
import { OutboxPrefetch } from './outbox-prefetch.ts'
import { PeerNames } from './peer-names.ts'
import { StatusUpdates } from './status-updates.ts'
import type { DeliveryEvents, DeliveryOptions } from './delivery-types.ts'

export type { DeliveryEvents, DeliveryOptions, DeliveryTransport } from './delivery-types.ts'
export { MAX_BATCH } from './batch-size.ts'

/**
 * An unacknowledged message is sent again after this long. A direct
 * connection acks within milliseconds, so by then the frame or its ack was lost.
 */
export const ACK_TIMEOUT_MS = 4_000

/** Read receipts re-sent on every new connection, in case earlier ones were lost. */
export const READ_RECEIPTS_ON_CONNECT = MAX_IDS_PER_FRAME

async function nextTask (): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, 0))
}

function textFrame (message: StoredMessage): ChatFrame {
  return { type: 'text', id: hexToBytes(message.id), sentAt: message.sentAt, seq: message.seq, text: message.text }
}

/**
 * At-least-once transport, exactly-once storage. Every outgoing message's
 * write to the store (the outbox) is made in the task that sends it, or
 * before, so the database has it ahead of any status its ack brings; the
 * receiver stores a message before it acknowledges it and acknowledges
 * duplicates too, the first ack may have been lost (the receiving half is
 * inbox.ts); the sender marks a message delivered only on that ack and sends
 * unacknowledged messages again while the peer is reachable. Bursts are written in batches, one transaction per batch.
 */
export class Delivery extends TypedEventEmitter<DeliveryEvents> {
  readonly #o: DeliveryOptions
  readonly #now: () => number
  readonly #inFlight = new InFlight()
  readonly #retry = new Map<string, ReturnType<typeof setTimeout>>()
  readonly #flushes = new CoalescedRuns<string>(async peer => { await this.#flushOnce(peer) }, () => this.#stopped)
  readonly #outgoing = new Map<string, Batcher<string, StoredMessage>>()
  readonly #inbox: Inbox
  readonly #lateSent: LateSent
  readonly #statuses: StatusUpdates
  readonly #names: PeerNames
  readonly #outboxes: OutboxPrefetch
  #stopped = false
  /** messages transmitted again because their ack was overdue or the peer came back (diagnostics) */
  resends = 0

  constructor (options: DeliveryOptions) {
    super()
    this.#o = options
    this.#now = options.now ?? Date.now
    this.#outboxes = new OutboxPrefetch(async peer => await options.store.messages.outbox(peer))
    this.#lateSent = new LateSent(async (peer, ids) => {
      this.#outboxes.drop(peer)
      await options.store.messages.setStatus(peer, 'out', ids, 'sent')
    }, ACK_TIMEOUT_MS)
    this.#statuses = new StatusUpdates(options.store, (peer, messages) => { this.#emitMessages(peer, messages) })
    this.#names = new PeerNames(options.store)
    this.#inbox = new Inbox({
      store: options.store,
      transport: options.transport,
      isReading: options.isReading,
      readReceipts: options.readReceipts,
      now: this.#now,
      emit: (type, detail) => { this.safeDispatchEvent(type, { detail }) }
    })
  }

  /** copies of messages stored already that arrived again and were dropped (diagnostics, see Inbox) */
  get duplicates (): number {
    return this.#inbox.duplicates
  }

  stop (): void {
    this.#stopped = true
    for (const timer of this.#retry.values()) clearTimeout(timer)
    this.#retry.clear()
    this.#lateSent.stop()
  }

  /** Stores a new message (queued); sends it when the peer is reachable. Refuses one that shows nothing. */
  async send (peer: string, text: string): Promise<StoredMessage> {
    assertShowsText(text)
    let batcher = this.#outgoing.get(peer)
    if (batcher == null) {
      batcher = new Batcher(async texts => await this.#createAndSend(peer, texts), MAX_BATCH, BATCHES_IN_FLIGHT)
      this.#outgoing.set(peer, batcher)
    }
    return await batcher.add(text)
  }

  /**
   * Sends every queued message, and every sent one whose ack is overdue, in
   * seq order. Calls during a flush make it run once more afterwards.
   */
  async flush (peer: string): Promise<void> {
    await this.#flushes.run(peer)
  }

  /**
   * Writes new messages and sends them without reading the outbox again.
   * When the store writes them in one round trip they go out as that write
   * is made (handed over just ahead of its requests, in the same task), not
   * once it commits (the commit was a third of a message's way to the
   * peer): an ack that beats the commit goes into the status log, which
   * every read lays over the records once they are there (and which is
   * folded into them only after a quiet second), and a write the browser
   * rolls back is done again with the records as sent.
   * Otherwise they go out once stored. Whatever cannot go now stays queued
   * for the next flush (on connect, or the retry timer).
   */
  async #createAndSend (peer: string, texts: string[]): Promise<StoredMessage[]> {
    this.#outboxes.drop(peer)
    let sent: StoredMessage[] = []
    let sending: Array<Promise<string>> | undefined
    let created: StoredMessage[]
    try {
      created = await this.#o.store.messages.createOutgoingMany(peer, texts, this.#now(), writing => {
        sending = this.#transmit(peer, writing)
        if (sending != null) sent = writing
        return sending != null
      })
    } catch (err) {
      // not stored (storage full), so nothing to resend or mark
      for (const message of sent) this.#inFlight.forget(peer, message.id)
      const handedOver = await Promise.allSettled(sending ?? [])
      // the peer may have it already: the text must not go back to the composer
      if (sent.length > 0 && handedOver.every(h => h.status === 'fulfilled')) throw new SentNotSavedError(err)
      throw err
    }
    this.#afterSend(peer, created, sending ?? this.#transmit(peer, created) ?? []).catch((err: Error) => {
      if (!this.#stopped) this.safeDispatchEvent('problem', { detail: { peer, message: err.message } })
    })
    return created
  }

  /**
   * Hands new messages to the transport, in order, if the peer is reachable.
   * Not awaited one by one: the chat stream keeps them in order, and each is
   * written as soon as it is handed over.
   */
  #transmit (peer: string, messages: StoredMessage[]): Array<Promise<string>> | undefined {
    if (this.#stopped || !this.#o.transport.usable(peer)) return undefined
    const at = this.#now()
    // in flight from the moment it is handed over: under a burst, the first
    // frames of a batch are acked before the last ones are written
    for (const message of messages) this.#inFlight.sent(peer, message.id, at, message)
    return messages.map(async message => {
      await this.#o.transport.send(peer, textFrame(message))
      return message.id
    })
  }

  /** Shows new messages once stored, then as sent, and has the unacked ones sent again in time. */
  async #afterSend (peer: string, created: StoredMessage[], sending: Array<Promise<string>>): Promise<void> {
    const settled = Promise.allSettled(sending)
    // the UI work runs once the frames are written, or a task later when
    // writing waits (a full buffer): queued in between, it would run first
    await Promise.race([settled, nextTask()])
    this.#emitMessages(peer, created)
    this.safeDispatchEvent('conversations', { detail: { peer } })
    if (sending.length === 0) return
    const outcomes = await settled
    const unacked = created.filter((message, i) => {
      // after a failed write, later ones may have gone out on a new stream: the outbox flush sorts that out
      if (outcomes[i].status === 'rejected') this.#inFlight.forget(peer, message.id)
      return this.#inFlight.has(peer, message.id)
    })
    this.#markSent(peer, unacked)
    this.#scheduleRetry(peer)
  }

  /** Shows messages as sent at once; their 'sent' state is written later, if still needed. */
  #markSent (peer: string, messages: StoredMessage[]): void {
    if (messages.length === 0) return
    this.#emitMessages(peer, messages.map(m => ({ ...m, status: 'sent' })))
    if (!this.#stopped) this.#lateSent.add(peer, messages.map(m => m.id))
  }

  /** flush() for callers that do not wait: a failure becomes a 'problem' event, not an unhandled rejection */
  flushSoon (peer: string): void {
    this.flush(peer).catch((err: Error) => {
      if (!this.#stopped) this.safeDispatchEvent('problem', { detail: { peer, message: err.message } })
    })
  }

  async #flushOnce (peer: string): Promise<void> {
    if (this.#stopped || !this.#o.transport.usable(peer)) return
    try {
      await this.#inFlight.readingOutbox(peer, async acked => {
        await this.#sendOutbox(peer, await this.#outboxes.take(peer), acked)
      })
    } catch (err) {
      // the outbox could not be read (a passing storage error): what it holds
      // is still owed to the peer, so try again later as for a lost ack
      this.#scheduleRetry(peer)
      throw err
    }
  }

  async #sendOutbox (peer: string, outbox: StoredMessage[], acked: ReadonlySet<string>): Promise<void> {
    const now = this.#now()
    const justSent: StoredMessage[] = []
    for (const message of outbox) {
      if (acked.has(message.id)) continue
      // transmitted lately, whatever the store says yet (see late-sent.ts): its ack has time.
      // A negative age is a wall clock set back since: overdue, or it would wait that long
      const age = now - (this.#inFlight.sentAt(peer, message.id) ?? Number.NEGATIVE_INFINITY)
      if (age >= 0 && age < ACK_TIMEOUT_MS) continue
      if (!this.#o.transport.usable(peer)) break
      try {
        await this.#o.transport.send(peer, textFrame(message))
      } catch {
        // the connection went away mid-flush; what is left stays in the outbox
        break
      }
      if (this.#inFlight.has(peer, message.id) || message.status !== 'queued') this.resends++
      this.#inFlight.sent(peer, message.id, now)
      if (message.status === 'queued') justSent.push(message)
    }
    this.#markSent(peer, justSent)
    if (outbox.length > 0) this.#scheduleRetry(peer)
  }

  #scheduleRetry (peer: string): void {
    if (this.#retry.has(peer) || this.#stopped) return
    this.#retry.set(peer, setTimeout(() => {
      this.#retry.delete(peer)
      this.flushSoon(peer)
    }, ACK_TIMEOUT_MS))
  }

  /** A frame from `peer`, the authenticated remote peer of the connection it came on. */
  async receive (peer: string, frame: ChatFrame): Promise<void> {
    switch (frame.type) {
      case 'text':
        await this.#inbox.receive(peer, { id: bytesToHex(frame.id), text: frame.text, sentAt: frame.sentAt, seq: frame.seq })
        break
      case 'ack':
      case 'read': {
        const ids = frame.ids.map(bytesToHex)
        this.#outboxes.drop(peer)
        // the first ack of each is written without a read: under a burst that is one request per message less
        const stored = this.#inFlight.landed(peer, ids)
        this.#lateSent.drop(peer, ids)
        // acks and receipts for ids we never sent change nothing: setStatus ignores unknown ids
        try {
          await this.#statuses.apply(peer, ids, frame.type === 'ack' ? 'delivered' : 'read', stored)
        } finally {
          this.#inFlight.written(peer, ids)
        }
        break
      }
      case 'profile':
        await this.#names.set(peer, frame.name)
        this.safeDispatchEvent('conversations', { detail: { peer } })
        break
      case 'typing':
        this.safeDispatchEvent('typing', { detail: { peer, active: frame.active } })
        break
    }
  }

  /** Marks what arrived as read and tells the peer, if read receipts are on. */
  async markRead (peer: string): Promise<void> {
    await this.#inbox.markRead(peer)
  }

  /** A dial to the peer starts: its outbox is read meanwhile, for the greeting (OutboxPrefetch). */
  dialing (peer: string): void {
    if (!this.#stopped && !this.#o.transport.usable(peer)) this.#outboxes.start(peer)
  }

  /**
   * A new connection to the peer: the outbox first (someone may be waiting on
   * it: a link opened and a message typed while the dial ran), then our name
   * and the receipts that may have been lost.
   */
  async greet (peer: string): Promise<void> {
    await this.flush(peer)
    // a dial that ended after stop(): nothing more goes out from this page
    if (this.#stopped) return
    const name = this.#o.name()
    if (name !== '') await this.#o.transport.send(peer, { type: 'profile', name }).catch(() => {})
    if (this.#o.readReceipts()) {
      await this.#inbox.sendReceipts(peer, await this.#o.store.messages.recentlyRead(peer, READ_RECEIPTS_ON_CONNECT))
    }
  }

  #emitMessages (peer: string, messages: StoredMessage[]): void {
    if (messages.length > 0) this.safeDispatchEvent('messages', { detail: { peer, messages } })
  }
}
