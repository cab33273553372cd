import { describe, expect, it } from 'vitest'
import { CoalescedRuns } from '../../src/lib/state/coalesced-runs.ts'

/** A job whose runs end only when released, counting the runs per key and how many overlap. */
function gatedJob (): { job: (key: string) => Promise<void>, runs: string[], release: () => void, mostAtOnce: () => number } {
  const runs: string[] = []
  let gates: Array<() => void> = []
  let running = 0
  let most = 0
  return {
    runs,
    mostAtOnce: () => most,
    release: () => {
      const open = gates
      gates = []
      for (const gate of open) gate()
    },
    job: async key => {
      runs.push(key)
      most = Math.max(most, ++running)
      await new Promise<void>(resolve => gates.push(resolve))
      running--
    }
  }
}

const turn = async (): Promise<void> => { await new Promise(resolve => setTimeout(resolve, 0)) }

describe('CoalescedRuns: one run per key, calls during it make one more', () => {
  it('should run once more after calls that came in during a run, however many, and resolve them after it', async () => {
    const { job, runs, release, mostAtOnce } = gatedJob()
    const flushes = new CoalescedRuns(job)
    let done = 0
    const calls = [flushes.run('bob'), flushes.run('bob'), flushes.run('bob')].map(async p => { await p; done++ })
    await turn()
    expect(runs).toEqual(['bob'])
    release()
    await turn()
    // the two calls during the first run asked for one more, not two
    expect(runs).toEqual(['bob', 'bob'])
    expect(done).toBe(0)
    release()
    await Promise.all(calls)
    expect(runs).toEqual(['bob', 'bob'])
    expect(mostAtOnce()).toBe(1)
  })

  it('should run different keys side by side and start afresh once a run is over', async () => {
    const { job, runs, release, mostAtOnce } = gatedJob()
    const flushes = new CoalescedRuns(job)
    const both = Promise.all([flushes.run('bob'), flushes.run('carol')])
    await turn()
    expect(mostAtOnce()).toBe(2)
    release()
    await both
    const again = flushes.run('bob')
    await turn()
    release()
    await again
    expect(runs).toEqual(['bob', 'carol', 'bob'])
  })

  it('should not go round again once stopped', async () => {
    const { job, runs, release } = gatedJob()
    let stopped = false
    const flushes = new CoalescedRuns(job, () => stopped)
    const first = flushes.run('bob')
    const second = flushes.run('bob')
    await turn()
    stopped = true
    release()
    await Promise.all([first, second])
    expect(runs).toEqual(['bob'])
  })

  it('should pass a failed run on to its callers and let the next call run', async () => {
    let fail = true
    const flushes = new CoalescedRuns<string>(async () => {
      if (fail) throw new Error('outbox unreadable')
    })
    await expect(flushes.run('bob')).rejects.toThrow('outbox unreadable')
    fail = false
    await expect(flushes.run('bob')).resolves.toBeUndefined()
  })

  it('should still run the round asked for during a round that failed, and resolve with it', async () => {
    let rounds = 0
    let release!: () => void
    const gate = new Promise<void>(resolve => { release = resolve })
    const flushes = new CoalescedRuns<string>(async () => {
      rounds++
      if (rounds === 1) {
        await gate
        throw new Error('outbox unreadable')
      }
    })
    const first = flushes.run('bob')
    const during = flushes.run('bob')
    release()
    await expect(first).resolves.toBeUndefined()
    await expect(during).resolves.toBeUndefined()
    expect(rounds).toBe(2)
  })

  it('should give a call made just as the last round ends a round of its own', async () => {
    for (let turns = 0; turns < 4; turns++) {
      let rounds = 0
      let release!: () => void
      const gate = new Promise<void>(resolve => { release = resolve })
      const flushes = new CoalescedRuns<string>(async () => {
        rounds++
        if (rounds === 1) await gate
      })
      const first = flushes.run('bob')
      // a few microtasks after the round's end, before or after the run is settled
      const late = gate.then(async () => {
        for (let i = 0; i < turns; i++) await Promise.resolve()
        await flushes.run('bob')
      })
      release()
      await Promise.all([first, late])
      expect(rounds).toBe(2)
    }
  })
})
