import type { Connection } from './db.ts'
import { isRetryable, PLACING_STORES, writeIfUnchanged, writePlaced, type Placed } from './one-trip.ts'
import { commitNow, getEach } from './requests.ts'
import type { Conversation, StoredMessage } from './types.ts'

/** What new messages make of their conversation, from its stored record (if any) and the copies of the lookups found. */
export type Plan<R> = (stored: Conversation | undefined, existing: Array<StoredMessage | undefined>) => Placed<R>

export interface PlaceOptions<R> {
  /** keys of copies that may be stored already: read the long way (in one round trip, a ConstraintError finds them) */
  lookups: Array<[string, 'in', string]>
  /**
   * A write in one round trip is planned, and its requests are made right
   * after this returns, in the same task: what the caller does here (send the
   * records) goes out ahead of them, and no other event comes in between.
   */
  onWriting?: (result: R) => void
  /** its commit is asked for: what the caller does now runs while the database commits */
  committing?: (added: StoredMessage[]) => void
}

/**
 * Writes new messages with their conversation's new state, one transaction
 * per call. When this page wrote the conversation last, in one round trip
 * (one-trip.ts); otherwise, or when that guess was wrong, the long way: the
 * conversation and the lookups are read first.
 *
 * The writes of one conversation are planned in the order they were asked
 * for, each from the one before. A write waits only until the one before has
 * been planned, not until it commits: the next batch of a burst is handed to
 * the database while the one before commits, and the database runs them in
 * order. Should a write fail, the one planned from it fails its check too,
 * and each is done again the long way.
 */
export class ConversationWrites {
  readonly #connection: Connection
  /**
   * Each conversation as this page's last planned write leaves it. Only ever
   * a guess: a write that relies on it checks it in the same transaction, so
   * a stale entry costs a retry, never a wrong record.
   */
  readonly #known = new Map<string, Conversation>()
  /** per conversation, the write asked for last, until it has been planned */
  readonly #planning = new Map<string, Promise<void>>()

  constructor (connection: Connection) {
    this.#connection = connection
  }

  async place<R> (peer: string, plan: Plan<R>, options: PlaceOptions<R>): Promise<R> {
    let planned!: () => void
    const mine = new Promise<void>(resolve => { planned = resolve })
    const before = this.#planning.get(peer)
    this.#planning.set(peer, mine)
    try {
      if (before != null) await before
      return await this.#write(peer, plan, options, planned)
    } finally {
      planned()
      if (this.#planning.get(peer) === mine) this.#planning.delete(peer)
    }
  }

  async #write<R> (peer: string, plan: Plan<R>, options: PlaceOptions<R>, planned: () => void): Promise<R> {
    const guess = this.#known.get(peer)
    // planned from the guess, every message is new: nothing added is nothing to write
    const placed = guess != null ? plan(guess, []) : undefined
    if (guess != null && placed != null && placed.added.length > 0) {
      this.#known.set(peer, placed.conversation)
      planned()
      options.onWriting?.(placed.result)
      try {
        await this.#connection.transact([...PLACING_STORES], 'readwrite', async tx => {
          const written = writeIfUnchanged(tx, guess, placed)
          await written
          options.committing?.(placed.added)
        })
        return placed.result
      } catch (err) {
        this.#known.delete(peer)
        if (!isRetryable(err)) throw err
      }
    }
    try {
      return await this.#connection.transact([...PLACING_STORES], 'readwrite', async tx => {
        // every read at once: one round trip to the database, not two
        const [stored, existing] = await Promise.all([
          tx.objectStore('conversations').get(peer),
          getEach<StoredMessage>(tx.objectStore('messages'), options.lookups)
        ])
        const placed = plan(stored, existing)
        const latest = placed.added.length > 0 ? placed.conversation : stored
        if (latest != null) this.#known.set(peer, latest)
        planned()
        if (placed.added.length > 0) {
          writePlaced(tx, placed)
          commitNow(tx)
        }
        return placed.result
      })
    } catch (err) {
      this.#known.delete(peer)
      throw err
    }
  }
}
