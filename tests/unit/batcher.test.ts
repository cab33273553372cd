import { describe, expect, it } from 'vitest'
import { Batcher } from '../../src/lib/state/batcher.ts'

/** A run that records when each batch begins and finishes only when the test says so. */
function gatedRun (): { run: (items: number[]) => Promise<number[]>, begun: number[][], finish: () => void } {
  const begun: number[][] = []
  const gates: Array<() => void> = []
  return {
    begun,
    run: async items => {
      begun.push(items)
      await new Promise<void>(resolve => gates.push(resolve))
      return items.map(i => i * 10)
    },
    finish: () => { gates.shift()?.() }
  }
}

async function ticks (n = 10): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve()
}

describe('Batcher', () => {
  it('should run calls made together as batches of at most max, one at a time by default', async () => {
    const { run, begun, finish } = gatedRun()
    const batcher = new Batcher(run, 2)
    const results = [1, 2, 3, 4, 5].map(async i => await batcher.add(i))
    await ticks()
    expect(begun).toEqual([[1, 2]])
    finish()
    await ticks()
    expect(begun).toEqual([[1, 2], [3, 4]])
    finish()
    await ticks()
    finish()
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50])
  })

  it('should begin the next batch while one runs when its depth allows, and no more than that', async () => {
    const { run, begun, finish } = gatedRun()
    const batcher = new Batcher(run, 2, 2)
    const results = [1, 2, 3, 4, 5, 6].map(async i => await batcher.add(i))
    await ticks()
    expect(begun).toEqual([[1, 2], [3, 4]])
    finish()
    await ticks()
    expect(begun).toEqual([[1, 2], [3, 4], [5, 6]])
    finish()
    finish()
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50, 60])
  })

  it('should fail only the callers of the batch that failed, and go on with the rest', async () => {
    let calls = 0
    const batcher = new Batcher(async (items: number[]) => {
      if (++calls === 1) throw new Error('full')
      return items
    }, 2, 2)
    const results = await Promise.allSettled([1, 2, 3].map(async i => await batcher.add(i)))
    expect(results.map(r => r.status)).toEqual(['rejected', 'rejected', 'fulfilled'])
    // and a call after the others still runs
    expect(await batcher.add(4)).toBe(4)
  })
})
