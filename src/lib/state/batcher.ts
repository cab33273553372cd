/**
 * Collects calls made close together and runs them as one batch, one batch at
 * a time: a burst of thousands of messages becomes a few IndexedDB
 * transactions instead of thousands, and each caller still gets its own result.
 */
export class Batcher<T, R> {
  readonly #run: (items: T[]) => Promise<R[]>
  readonly #max: number
  #queue: Array<{ item: T, resolve: (r: R) => void, reject: (e: unknown) => void }> = []
  #running = false

  /** `run` gets at most `max` items and must return one result per item, in order. */
  constructor (run: (items: T[]) => Promise<R[]>, max: number) {
    this.#run = run
    this.#max = max
  }

  async add (item: T): Promise<R> {
    return await new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject })
      if (!this.#running) void this.#drain()
    })
  }

  async #drain (): Promise<void> {
    this.#running = true
    // let the rest of the burst queue up behind the first item
    await Promise.resolve()
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#max)
      try {
        const results = await this.#run(batch.map(b => b.item))
        batch.forEach((b, i) => { b.resolve(results[i]) })
      } catch (err) {
        batch.forEach(b => { b.reject(err) })
      }
    }
    this.#running = false
  }
}
