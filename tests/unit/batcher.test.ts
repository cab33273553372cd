import { describe, expect, it } from 'vitest'
import { Batcher } from '../../src/lib/state/batcher.ts'

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
