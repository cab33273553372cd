import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  SAFETY_NUMBER_DIGITS, SAFETY_NUMBER_GROUPS, SAFETY_NUMBER_GROUP_DIGITS, SafetyNumberError, safetyNumber, spokenSafetyNumber
} from '../../src/lib/shared/safety-number.ts'

const ADA = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
const BOB = '12D3KooWGRUVh1HLrvwC8CC8aSYRkw3iKPkBzo9oKBPLpHdGRzLc'

/**
 * The number of ADA and BOB under format v1, worked out once outside the app
 * (SHA-256 of "peerlink safety number v1\n" and the two sorted IDs, one a
 * line, as a big-endian number modulo 10^60). Numbers already compared must
 * stay what they were: changing the format means a new version, and this value.
 */
const ADA_BOB = '53900 30835 17413 04980 61925 49993 80911 80455 37922 64449 91860 65672'

/** Peer IDs as their canonical text: "12D3KooW" and base58btc, as libp2p writes an Ed25519 one. */
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const peerId = fc.string({ unit: fc.constantFrom(...BASE58), minLength: 44, maxLength: 44 }).map(tail => `12D3KooW${tail}`)
const twoPeers = fc.uniqueArray(peerId, { minLength: 2, maxLength: 2 }).map(([a, b]) => [a, b] as const)

describe('safety numbers', () => {
  it('should give the known number for a known pair', async () => {
    expect((await safetyNumber(ADA, BOB)).join(' ')).toBe(ADA_BOB)
  })

  it('should give both people the same number, whichever ID is their own', async () => {
    await fc.assert(fc.asyncProperty(twoPeers, async ([a, b]) => {
      expect(await safetyNumber(a, b)).toEqual(await safetyNumber(b, a))
    }), { numRuns: 200 })
  })

  it('should always be 12 groups of 5 digits, leading zeros kept', async () => {
    expect(SAFETY_NUMBER_GROUPS * SAFETY_NUMBER_GROUP_DIGITS).toBe(SAFETY_NUMBER_DIGITS)
    await fc.assert(fc.asyncProperty(twoPeers, async ([a, b]) => {
      const groups = await safetyNumber(a, b)
      expect(groups).toHaveLength(12)
      for (const group of groups) expect(group).toMatch(/^\d{5}$/)
    }), { numRuns: 200 })
  })

  it('should differ when either person is someone else', async () => {
    // the link swapped on its way: Ada talks to Mallory, who talks to Bob
    await fc.assert(fc.asyncProperty(fc.uniqueArray(peerId, { minLength: 3, maxLength: 3 }), async ([ada, bob, mallory]) => {
      const real = (await safetyNumber(ada, bob)).join('')
      expect((await safetyNumber(ada, mallory)).join('')).not.toBe(real)
      expect((await safetyNumber(mallory, bob)).join('')).not.toBe(real)
    }), { numRuns: 200 })
  })

  it('should differ for pairs whose IDs run together alike', async () => {
    // "ab" + "c" and "a" + "bc" are one text without a separator between them
    expect(await safetyNumber('ab', 'c')).not.toEqual(await safetyNumber('a', 'bc'))
  })

  it('should refuse what is not two different peer IDs, with a clear error', async () => {
    await expect(safetyNumber(ADA, ADA)).rejects.toThrow(/two different peers/)
    for (const bad of ['', `${ADA}\n${BOB}`, ' 12D3KooW', '12D3KooW/p2p']) {
      await expect(safetyNumber(bad, BOB)).rejects.toThrow(SafetyNumberError)
      await expect(safetyNumber(ADA, bad)).rejects.toThrow(/Not a peer ID/)
    }
  })
})

describe('safety numbers read out', () => {
  it('should read every digit on its own, a pause between groups', () => {
    expect(spokenSafetyNumber(['04980', '61925'])).toBe('0 4 9 8 0, 6 1 9 2 5')
  })

  it('should hold every digit of the number, in order', async () => {
    await fc.assert(fc.asyncProperty(twoPeers, async ([a, b]) => {
      const groups = await safetyNumber(a, b)
      const spoken = spokenSafetyNumber(groups)
      expect(spoken.split(', ')).toHaveLength(SAFETY_NUMBER_GROUPS)
      expect(spoken.replace(/[ ,]/g, '')).toBe(groups.join(''))
    }), { numRuns: 50 })
  })
})
