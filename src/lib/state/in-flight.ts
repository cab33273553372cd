import type { StoredMessage } from '../store/index.ts'

/** The key of a message in flight: ids are only unique per peer. */
function flightKey (peer: string, id: string): string {
  return `${peer}/${id}`
}

/**
 * Own messages transmitted and not acknowledged yet, as far as this page
 * knows: when each last went out and, when this page created it, its record.
 * An ack takes the entry out, so while there is one the stored state is at
 * most 'sent' and the ack's state can be written from that record without
 * reading it back. Not for records read from the outbox: an ack may have
 * been written since.
 */
export class InFlight {
  readonly #sent = new Map<string, { at: number, message?: StoredMessage }>()
  /**
   * Per peer, while a resend works from its outbox read: the ids acked since
   * that read began. The read is a snapshot of its transaction's start, so a
   * message acked after it still reads as unsent, and is no longer in flight
   * either. Under a burst, acks land all through a resend, which sent
   * hundreds of delivered messages again before this was kept.
   */
  readonly #ackedSinceRead = new Map<string, Set<string>>()
  /**
   * Per peer, ids acked whose new state is not written yet (how many acks of
   * each are being written): an outbox read does not see that state, and
   * under a burst the status writes queue up behind each other, so a resend
   * then would send them all again.
   */
  readonly #unwritten = new Map<string, Map<string, number>>()

  /** Went out at `at`; `message` is this page's own new record of it (kept from before when not given). */
  sent (peer: string, id: string, at: number, message?: StoredMessage): void {
    const key = flightKey(peer, id)
    this.#sent.set(key, { at, message: message ?? this.#sent.get(key)?.message })
  }

  has (peer: string, id: string): boolean {
    return this.#sent.has(flightKey(peer, id))
  }

  /** When it last went out, if it is in flight. */
  sentAt (peer: string, id: string): number | undefined {
    return this.#sent.get(flightKey(peer, id))?.at
  }

  /** Its write failed: it is not on its way, and the outbox has it. */
  forget (peer: string, id: string): void {
    this.#sent.delete(flightKey(peer, id))
  }

  /** These were acked: no longer in flight. Returns the records this page held of them, by id. */
  landed (peer: string, ids: string[]): Map<string, StoredMessage> {
    const held = new Map<string, StoredMessage>()
    const acked = this.#ackedSinceRead.get(peer)
    let unwritten = this.#unwritten.get(peer)
    if (unwritten == null) this.#unwritten.set(peer, unwritten = new Map())
    for (const id of ids) {
      acked?.add(id)
      unwritten.set(id, (unwritten.get(id) ?? 0) + 1)
      const key = flightKey(peer, id)
      const message = this.#sent.get(key)?.message
      if (message != null) held.set(id, message)
      this.#sent.delete(key)
    }
    return held
  }

  /** The state that landed() was told of is written, or failed to be (then the outbox has them again). */
  written (peer: string, ids: string[]): void {
    const unwritten = this.#unwritten.get(peer)
    if (unwritten == null) return
    for (const id of ids) {
      const left = (unwritten.get(id) ?? 1) - 1
      if (left > 0) unwritten.set(id, left)
      else unwritten.delete(id)
    }
    if (unwritten.size === 0) this.#unwritten.delete(peer)
  }

  /**
   * Runs `work`, which reads the outbox first, with the ids acked from then
   * on and those acked before whose state is still being written. One at a
   * time per peer (a flush is).
   */
  async readingOutbox<T> (peer: string, work: (acked: ReadonlySet<string>) => Promise<T>): Promise<T> {
    const acked = new Set<string>(this.#unwritten.get(peer)?.keys())
    this.#ackedSinceRead.set(peer, acked)
    try {
      return await work(acked)
    } finally {
      this.#ackedSinceRead.delete(peer)
    }
  }
}
