interface Queued<T, R> { item: T, resolve: (r: R) => void, reject: (e: unknown) => void }

/**
 * Collects calls made close together and runs them as batches, a few at a
 * time (one, unless told otherwise): a burst of thousands of messages becomes
 * a few IndexedDB transactions instead of thousands, and each caller still
 * gets its own result.
 */
export class Batcher<T, R> {
  readonly #run: (items: T[]) => Promise<R[]>
  readonly #max: number
  readonly #concurrency: number
  #queue: Array<Queued<T, R>> = []
  #running = 0
  #scheduled = false

  /**
   * `run` gets at most `max` items and must return one result per item, in
   * order; at most `concurrency` runs are under way at once, and calls that
   * come past them wait and are merged into the next batch.
   */
  constructor (run: (items: T[]) => Promise<R[]>, max: number, concurrency = 1) {
    this.#run = run
    this.#max = max
    this.#concurrency = concurrency
  }

  /** Nothing queued or under way: an owner keeping one batcher per peer may drop it. */
  get idle (): boolean {
    return this.#running === 0 && this.#queue.length === 0 && !this.#scheduled
  }

  async add (item: T): Promise<R> {
    return await new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject })
      if (this.#scheduled || this.#running >= this.#concurrency) return
      // let the rest of the burst queue up behind the first item
      this.#scheduled = true
      queueMicrotask(() => {
        this.#scheduled = false
        this.#pump()
      })
    })
  }

  #pump (): void {
    while (this.#running < this.#concurrency && this.#queue.length > 0) {
      this.#running++
      void this.#runBatch(this.#queue.splice(0, this.#max))
    }
  }

  async #runBatch (batch: Array<Queued<T, R>>): Promise<void> {
    try {
      const results = await this.#run(batch.map(b => b.item))
      batch.forEach((b, i) => { b.resolve(results[i]) })
    } catch (err) {
      batch.forEach(b => { b.reject(err) })
    } finally {
      this.#running--
      this.#pump()
    }
  }
}

/**
 * One Batcher per key (a peer), kept only while it has calls queued or under
 * way: a page meets many peers over its life, and a batcher for each one that
 * ever sent something would stay for good.
 */
export class KeyedBatchers<T, R> {
  readonly #make: (key: string) => Batcher<T, R>
  readonly #batchers = new Map<string, Batcher<T, R>>()

  /** `make` builds the batcher of a key when a call for it comes and none is held. */
  constructor (make: (key: string) => Batcher<T, R>) {
    this.#make = make
  }

  /** how many keys have a batcher held */
  get size (): number {
    return this.#batchers.size
  }

  async add (key: string, item: T): Promise<R> {
    let batcher = this.#batchers.get(key)
    if (batcher == null) {
      batcher = this.#make(key)
      this.#batchers.set(key, batcher)
    }
    try {
      return await batcher.add(item)
    } finally {
      // the last caller of a batcher's last batch finds it idle
      if (batcher.idle && this.#batchers.get(key) === batcher) this.#batchers.delete(key)
    }
  }
}
