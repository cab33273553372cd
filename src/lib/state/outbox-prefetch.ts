import type { StoredMessage } from '../store/index.ts'

/**
 * How old a read begun with a dial may be when that dial's first flush takes
 * it. A dial to a peer that answers takes well under a second; a longer one
 * (the peer away, a redial's back-off) has nobody waiting on the few
 * milliseconds the read saves, and a fresh read then costs nothing.
 */
export const OUTBOX_PREFETCH_MAX_AGE_MS = 2_000

/**
 * A peer's outbox, read while a dial to it runs. The read takes some
 * milliseconds (two round trips to the database) and came between the new
 * connection and the first queued message going out; the dial takes a
 * hundred and more. The read is used once, by the next flush, and only if
 * nothing this page did since can have changed that outbox (`drop`);
 * otherwise that flush reads again.
 */
export class OutboxPrefetch {
  readonly #read: (peer: string) => Promise<StoredMessage[]>
  readonly #now: () => number
  readonly #early = new Map<string, { at: number, outbox: Promise<StoredMessage[]> }>()

  constructor (read: (peer: string) => Promise<StoredMessage[]>, now: () => number = () => performance.now()) {
    this.#read = read
    this.#now = now
  }

  /** Starts reading `peer`'s outbox now, for the next flush. */
  start (peer: string): void {
    const outbox = this.#read(peer)
    // a failed read is only a read to do again (take)
    outbox.catch(() => {})
    this.#early.set(peer, { at: this.#now(), outbox })
  }

  /** This page is about to change `peer`'s outbox (a message written, a state set): a read begun before is stale. */
  drop (peer: string): void {
    this.#early.delete(peer)
  }

  /** `peer`'s outbox: the read begun for this flush, if it is still good, or a fresh one. */
  async take (peer: string): Promise<StoredMessage[]> {
    const early = this.#early.get(peer)
    this.#early.delete(peer)
    if (early != null && this.#now() - early.at <= OUTBOX_PREFETCH_MAX_AGE_MS) {
      try {
        return await early.outbox
      } catch {
        // read again below: the store may have got over it
      }
    }
    return await this.#read(peer)
  }
}
