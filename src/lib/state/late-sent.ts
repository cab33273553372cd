/**
 * A message's 'sent' state is written once its ack is overdue, unless the ack
 * (or read receipt) has come by then, which makes the write moot: on a live
 * connection the ack is milliseconds away, and under a burst, with the peer
 * storing thousands ahead of it, seconds; either way this saves a write per
 * message. A 'sent' state lost to a closed tab is harmless: the message
 * counts as queued, goes out again, and the peer drops the copy and acks it.
 */
export class LateSent {
  readonly #write: (peer: string, ids: string[]) => Promise<unknown>
  readonly #delayMs: number
  /** by peer: ids not written yet, and the timer that writes them */
  readonly #pending = new Map<string, { ids: Set<string>, timer: ReturnType<typeof setTimeout> }>()

  /**
   * `write` stores the state; it must never move a message back (one acked
   * meanwhile stays delivered). It runs `delayMs` after the first of a batch went out.
   */
  constructor (write: (peer: string, ids: string[]) => Promise<unknown>, delayMs: number) {
    this.#write = write
    this.#delayMs = delayMs
  }

  add (peer: string, ids: string[]): void {
    let pending = this.#pending.get(peer)
    if (pending == null) {
      const batch = new Set<string>()
      const timer = setTimeout(() => {
        this.#pending.delete(peer)
        if (batch.size > 0) this.#write(peer, [...batch]).catch(() => {})
      }, this.#delayMs)
      pending = { ids: batch, timer }
      this.#pending.set(peer, pending)
    }
    for (const id of ids) pending.ids.add(id)
  }

  /** These were acked: their later state is written instead. */
  drop (peer: string, ids: string[]): void {
    const pending = this.#pending.get(peer)?.ids
    for (const id of ids) pending?.delete(id)
  }

  stop (): void {
    for (const { timer } of this.#pending.values()) clearTimeout(timer)
    this.#pending.clear()
  }
}
