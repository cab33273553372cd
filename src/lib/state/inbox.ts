import { MAX_IDS_PER_FRAME } from '../p2p/chat/index.ts'
import { hexToBytes, InvalidArgumentError, type IncomingMessage, type SavedIncoming, type Store, type StoredMessage } from '../store/index.ts'
import { BATCHES_IN_FLIGHT, MAX_BATCH } from './batch-size.ts'
import { Batcher, KeyedBatchers } from './batcher.ts'
import type { DeliveryEvents, DeliveryTransport } from './delivery-types.ts'

/**
 * How far ahead of ours a sender's clock may be. Synced clocks agree within
 * seconds, and a burst's send times run ahead of the sender's clock by a
 * millisecond per message (each is later than the one before); a minute
 * past that, the clock is wrong or the peer is lying.
 */
export const MAX_CLOCK_AHEAD_MS = 60_000

/**
 * How long before it arrives a message may say it was sent. A message waits
 * in its sender's outbox while the two are never online at once, and is sent
 * with the time it was written: a month covers a long trip without a
 * connection. A time from before that is a clock set wrong or a peer that
 * wants its message buried (a send time of 0 is 1970): it is taken as sent
 * that long ago, so it shows no earlier in the thread than a real delay could.
 */
export const MAX_DELIVERY_DELAY_MS = 30 * 24 * 60 * 60 * 1000

/** What the inbox needs from the delivery logic it is part of. */
export interface InboxOptions {
  store: Store
  transport: DeliveryTransport
  isReading: (peer: string) => boolean
  readReceipts: () => boolean
  now: () => number
  /** raises one of the delivery logic's events */
  emit: <K extends keyof DeliveryEvents>(type: K, detail: DeliveryEvents[K]['detail']) => void
}

/**
 * The receiving half of delivery: a message is stored before it is
 * acknowledged, a copy already stored is acknowledged again (the first ack may
 * have been lost) but not stored twice, and read receipts go out when the
 * user reads. A burst is stored in batches, one transaction per batch, its
 * acks in as few frames as hold them.
 */
export class Inbox {
  readonly #o: InboxOptions
  readonly #batchers = new KeyedBatchers<IncomingMessage, SavedIncoming | Error>(peer =>
    new Batcher(async msgs => await this.#storeBatch(peer, msgs), MAX_BATCH, BATCHES_IN_FLIGHT))
  /**
   * copies of messages stored already that arrived again and were dropped
   * (diagnostics): a resend after a lost ack, or a sender resending what was
   * acked, which its own count cannot tell from a first send
   */
  duplicates = 0
  /** by peer: the send time last given to a message from the future, and to one from too far back (see #clamped) */
  readonly #lastAhead = new Map<string, number>()
  readonly #lastBehind = new Map<string, number>()

  constructor (options: InboxOptions) {
    this.#o = options
  }

  /**
   * A message from `peer`, the authenticated remote peer of the connection it
   * came on. Its send time is the sender's clock, orders the thread and is
   * the time shown with it: one from further in the future than clocks
   * disagree (a clock set wrong, or a peer that wants its message pinned on
   * top for good) is taken as sent now, one from further back than a message
   * waits to be delivered as sent MAX_DELIVERY_DELAY_MS ago.
   */
  async receive (peer: string, message: IncomingMessage): Promise<void> {
    const now = this.#o.now()
    const sentAt = message.sentAt > now + MAX_CLOCK_AHEAD_MS
      ? this.#clamped(this.#lastAhead, peer, now)
      : message.sentAt < now - MAX_DELIVERY_DELAY_MS
        ? this.#clamped(this.#lastBehind, peer, now - MAX_DELIVERY_DELAY_MS)
        : message.sentAt
    const outcome = await this.#batchers.add(peer, sentAt === message.sentAt ? message : { ...message, sentAt })
    if (outcome instanceof Error) throw outcome
  }

  /**
   * `at`, but later than the last time so given (`last`, by peer): a burst
   * arrives within a millisecond, and messages sent at the same time are
   * shown in the order of their random ids, not the order they came in.
   */
  #clamped (last: Map<string, number>, peer: string, at: number): number {
    const clamped = Math.max(at, (last.get(peer) ?? 0) + 1)
    last.set(peer, clamped)
    return clamped
  }

  /**
   * Stores a batch in one transaction. A message the store refuses (one the
   * codec let through and the store does not accept) would take the whole
   * batch with it: then each is stored on its own, and only it is refused.
   */
  async #save (peer: string, msgs: IncomingMessage[], committing: (added: StoredMessage[]) => void): Promise<Array<SavedIncoming | Error>> {
    const save = async (batch: IncomingMessage[]): Promise<SavedIncoming[]> =>
      await this.#o.store.messages.saveIncomingMany(peer, batch, { now: this.#o.now(), unread: !this.#o.isReading(peer), committing })
    try {
      return await save(msgs)
    } catch (err) {
      if (!(err instanceof InvalidArgumentError) || msgs.length === 1) throw err
      const alone = await Promise.allSettled(msgs.map(async msg => (await save([msg]))[0]))
      return alone.map(one => one.status === 'fulfilled' ? one.value : one.reason instanceof Error ? one.reason : new Error(String(one.reason)))
    }
  }

  /**
   * Stores a batch from `peer`, acks what is stored and tells the page what
   * is new. New messages are shown as their commit goes out ('arriving'):
   * the page draws them while the database commits, not after, and should
   * the write fail after all, they are taken back ('withdrawn').
   */
  async #storeBatch (peer: string, msgs: IncomingMessage[]): Promise<Array<SavedIncoming | Error>> {
    const announced = new Set<string>()
    const committing = (added: StoredMessage[]): void => {
      if (added.length === 0) return
      for (const m of added) announced.add(m.id)
      this.#o.emit('arriving', { peer, messages: added })
    }
    let outcomes: Array<SavedIncoming | Error>
    try {
      outcomes = await this.#save(peer, msgs, committing)
    } catch (err) {
      this.#withdraw(peer, [...announced])
      throw err
    }
    this.#withdraw(peer, msgs.filter((m, i) => outcomes[i] instanceof Error && announced.has(m.id)).map(m => m.id))
    const saved = outcomes.filter((o): o is SavedIncoming => !(o instanceof Error))
    this.#acknowledge(peer, saved)
    const fresh = saved.filter(s => s.isNew).map(s => s.message)
    this.duplicates += saved.length - fresh.length
    if (fresh.length > 0) {
      this.#o.emit('messages', { peer, messages: fresh })
      this.#o.emit('conversations', { peer })
      this.#o.emit('typing', { peer, active: false })
    }
    return outcomes
  }

  #withdraw (peer: string, ids: string[]): void {
    if (ids.length > 0) this.#o.emit('withdrawn', { peer, ids })
  }

  /**
   * Stored, so acknowledge: all of them, duplicates included (the first ack
   * may have been lost). What arrived in front of the reader was stored as
   * read, and with read receipts on the receipt is the ack: one frame, and
   * one status write fewer on the sender.
   */
  #acknowledge (peer: string, saved: SavedIncoming[]): void {
    const receipts = this.#o.readReceipts()
    const read = new Set<string>()
    const delivered = new Set<string>()
    for (const { message } of saved) (receipts && message.status === 'read' ? read : delivered).add(message.id)
    for (const [type, ids] of [['read', read], ['ack', delivered]] as const) {
      for (const some of inFrames([...ids])) {
        this.#o.transport.send(peer, { type, ids: some.map(hexToBytes) }).catch(() => {
          // lost with the connection: the peer sends again and we ack then
        })
      }
    }
  }

  /** Marks what arrived as read and tells the peer, if read receipts are on. */
  async markRead (peer: string): Promise<void> {
    const ids = await this.#o.store.conversations.markRead(peer)
    if (ids.length === 0) return
    this.#o.emit('conversations', { peer })
    await this.sendReceipts(peer, ids)
  }

  /** Tells the peer these of its messages were read, if read receipts are on and it is reachable. */
  async sendReceipts (peer: string, ids: string[]): Promise<void> {
    if (!this.#o.readReceipts() || !this.#o.transport.usable(peer)) return
    for (const some of inFrames(ids)) {
      await this.#o.transport.send(peer, { type: 'read', ids: some.map(hexToBytes) }).catch(() => {})
    }
  }
}

/** Message ids in runs that each fit one ack or receipt frame (a batch stored at once can be larger). */
function inFrames (ids: string[]): string[][] {
  const runs: string[][] = []
  for (let i = 0; i < ids.length; i += MAX_IDS_PER_FRAME) runs.push(ids.slice(i, i + MAX_IDS_PER_FRAME))
  return runs
}
