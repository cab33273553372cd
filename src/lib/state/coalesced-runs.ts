/**
 * One run of a job per key at a time. A call while its key's job runs does
 * not start a second one beside it: it makes the running one go once more
 * when it ends (however many calls came in meanwhile, and even if that round
 * failed) and resolves with that.
 * For work that reads current state each time, such as sending an outbox:
 * what changed during a run is picked up by the next, never sent twice at once.
 */
export class CoalescedRuns<K> {
  readonly #job: (key: K) => Promise<void>
  readonly #running = new Map<K, Promise<void>>()
  readonly #again = new Set<K>()
  /** `stopped`: once true, no further round starts */
  readonly #stopped: () => boolean

  constructor (job: (key: K) => Promise<void>, stopped: () => boolean = () => false) {
    this.#job = job
    this.#stopped = stopped
  }

  async run (key: K): Promise<void> {
    const running = this.#running.get(key)
    if (running != null) {
      this.#again.add(key)
      return await running
    }
    const work = (async () => {
      try {
        do {
          this.#again.delete(key)
          try {
            await this.#job(key)
          } catch (err) {
            // a call made during the failed round asked for one more: it gets it
            if (!this.#again.has(key) || this.#stopped()) throw err
          }
        } while (this.#again.has(key) && !this.#stopped())
      } finally {
        // at once, not a microtask later: a call in between would wait on a finished run
        this.#running.delete(key)
      }
    })()
    this.#running.set(key, work)
    await work
  }
}
