/**
 * Collects calls made close together and runs them as one batch, one batch
 * (or `depth`) at a time: a burst of thousands of messages becomes a few IndexedDB
 * transactions instead of thousands, and each caller still gets its own result.
 */
export class Batcher<T, R> {
  readonly #run: (items: T[]) => Promise<R[]>
  readonly #max: number
  readonly #depth: number
  #queue: Array<{ item: T, resolve: (r: R) => void, reject: (e: unknown) => void }> = []
  #draining = false

  /**
   * `run` gets at most `max` items and must return one result per item, in
   * order. With `depth` over 1, that many batches may run at once, each begun
   * as soon as the one before it has begun: `run` must start its work in
   * order, before its first await.
   */
  constructor (run: (items: T[]) => Promise<R[]>, max: number, depth = 1) {
    this.#run = run
    this.#max = max
    this.#depth = depth
  }

  async add (item: T): Promise<R> {
    return await new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject })
      if (!this.#draining) void this.#drain()
    })
  }

  async #drain (): Promise<void> {
    this.#draining = true
    // let the rest of the burst queue up behind the first item
    await Promise.resolve()
    const running = new Set<Promise<void>>()
    while (this.#queue.length > 0 || running.size > 0) {
      if (this.#queue.length > 0 && running.size < this.#depth) {
        const done: Promise<void> = this.#runBatch(this.#queue.splice(0, this.#max)).finally(() => { running.delete(done) })
        running.add(done)
      } else {
        await Promise.race(running)
      }
    }
    this.#draining = false
  }

  async #runBatch (batch: Array<{ item: T, resolve: (r: R) => void, reject: (e: unknown) => void }>): Promise<void> {
    try {
      const results = await this.#run(batch.map(b => b.item))
      batch.forEach((b, i) => { b.resolve(results[i]) })
    } catch (err) {
      batch.forEach(b => { b.reject(err) })
    }
  }
}
