import { describe, expect, it } from 'vitest'
import { Backoff } from '../../src/lib/p2p/backoff.ts'

describe('back-off', () => {
  it('doubles up to the ceiling and resets', () => {
    const b = new Backoff({ minMs: 100, maxMs: 1000, jitter: 0 })
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000])
    b.reset()
    expect(b.next()).toBe(100)
  })

  it('draws jittered delays below the ceiling, never above', () => {
    const low = new Backoff({ minMs: 1000, maxMs: 1000, jitter: 0.5, random: () => 1 })
    const high = new Backoff({ minMs: 1000, maxMs: 1000, jitter: 0.5, random: () => 0 })
    expect(low.next()).toBe(500)
    expect(high.next()).toBe(1000)
  })
})
