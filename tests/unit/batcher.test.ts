import { describe, expect, it, vi } from 'vitest'
import { Batcher, KeyedBatchers } from '../../src/lib/state/batcher.ts'

/** A run that doubles each item and records its batch, while counting the runs under way. */
function recorder (): { run: (items: number[]) => Promise<number[]>, batches: number[][], mostAtOnce: () => number } {
  const batches: number[][] = []
  let running = 0
  let most = 0
  return {
    batches,
    mostAtOnce: () => most,
    run: async items => {
      batches.push(items)
      most = Math.max(most, ++running)
      // a write takes a few turns of the event loop
      await new Promise(resolve => setTimeout(resolve, 1))
      running--
      return items.map(i => i * 2)
    }
  }
}

describe('Batcher: calls close together run as batches', () => {
  it('should give each caller its own result and merge a burst into batches of at most max, one at a time', async () => {
    const { run, batches, mostAtOnce } = recorder()
    const batcher = new Batcher(run, 10)
    const results = await Promise.all(Array.from({ length: 25 }, async (_, i) => await batcher.add(i)))
    expect(results).toEqual(Array.from({ length: 25 }, (_, i) => i * 2))
    expect(batches.map(b => b.length)).toEqual([10, 10, 5])
    expect(mostAtOnce()).toBe(1)
    expect(batcher.idle).toBe(true)
  })

  it('should run up to `concurrency` batches at once, and merge the calls that come past them', async () => {
    const { run, batches, mostAtOnce } = recorder()
    const batcher = new Batcher(run, 4, 3)
    // one call at a time, each in its own task: the first three start at once, the rest wait and merge
    const pending: Array<Promise<number>> = []
    for (let i = 0; i < 12; i++) {
      pending.push(batcher.add(i))
      await Promise.resolve()
    }
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 12 }, (_, i) => i * 2))
    expect(mostAtOnce()).toBe(3)
    expect(batches.slice(0, 3)).toEqual([[0], [1], [2]])
    expect(batches.length).toBeLessThan(12)
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i))
  })

  it('should reject every call of a failed batch, and run the calls after it', async () => {
    let calls = 0
    const batcher = new Batcher<number, number>(async items => {
      if (calls++ === 0) throw new Error('disk full')
      return items
    }, 10)
    const failed = [batcher.add(1), batcher.add(2)]
    await Promise.resolve()
    const later = batcher.add(3)
    await expect(Promise.all(failed)).rejects.toThrow('disk full')
    await expect(failed[1]).rejects.toThrow('disk full')
    expect(await later).toBe(3)
  })
})

describe('KeyedBatchers: one batcher per key, held only while in use', () => {
  it('should batch each key apart, and hold no batcher once every call has its result', async () => {
    const made: string[] = []
    const batches: Array<[string, number[]]> = []
    const batchers = new KeyedBatchers<number, number>(key => {
      made.push(key)
      return new Batcher(async items => {
        batches.push([key, items])
        await new Promise(resolve => setTimeout(resolve, 1))
        return items.map(i => i * 2)
      }, 10)
    })
    const results = await Promise.all([
      ...[1, 2, 3].map(async i => await batchers.add('alice', i)),
      ...[4, 5].map(async i => await batchers.add('bob', i))
    ])
    expect(results).toEqual([2, 4, 6, 8, 10])
    expect(batches).toEqual([['alice', [1, 2, 3]], ['bob', [4, 5]]])
    expect(batchers.size).toBe(0)
    // a key that comes back gets a batcher again
    expect(await batchers.add('alice', 6)).toBe(12)
    expect(made).toEqual(['alice', 'bob', 'alice'])
    expect(batchers.size).toBe(0)
  })

  it('should keep a key\'s batcher while calls wait behind a running batch, and drop it after a failure too', async () => {
    const releases: Array<() => void> = []
    const batchers = new KeyedBatchers<number, number>(() => new Batcher(async items => {
      await new Promise<void>(resolve => { releases.push(resolve) })
      if (items.includes(-1)) throw new Error('refused')
      return items
    }, 10))
    const first = batchers.add('alice', 1)
    await vi.waitFor(() => { expect(releases).toHaveLength(1) })
    // queued behind the running batch: the same batcher must take it, or the two would run at once
    const second = batchers.add('alice', -1)
    releases[0]()
    expect(await first).toBe(1)
    await vi.waitFor(() => { expect(releases).toHaveLength(2) })
    expect(batchers.size).toBe(1)
    const third = batchers.add('alice', 3)
    releases[1]()
    await expect(second).rejects.toThrow('refused')
    await vi.waitFor(() => { expect(releases).toHaveLength(3) })
    // one batch at a time: the third waited for the second, in the same batcher
    releases[2]()
    expect(await third).toBe(3)
    expect(batchers.size).toBe(0)
  })
})

