import { describe, expect, it } from 'vitest'
import { percentile, summarize } from '../../bench/stats.ts'

describe('bench statistics', () => {
  it('takes the mean of the two middle samples as the median of an even count', () => {
    expect(summarize([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]).median).toBe(5.5)
    expect(summarize([3, 1]).median).toBe(2)
  })

  it('takes the middle sample as the median of an odd count', () => {
    expect(summarize([3, 1, 2]).median).toBe(2)
    expect(summarize([7]).median).toBe(7)
  })

  it('gives nearest-rank p90 and p99, and leaves out samples that are not finite', () => {
    const s = summarize([...Array.from({ length: 100 }, (_, i) => 100 - i), Number.NaN])
    expect(s.n).toBe(100)
    expect(s.p90).toBe(90)
    expect(s.p99).toBe(99)
    expect(s.min).toBe(1)
    expect(s.max).toBe(100)
    expect(percentile([1, 2, 3], 99)).toBe(3)
    expect(summarize([]).median).toBeNaN()
  })
})
