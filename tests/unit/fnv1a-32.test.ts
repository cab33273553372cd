import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fnv1a32 } from '../../vite/fnv1a-32.ts'
import { buildsWithAndWithout } from './browser-build.ts'

// Judged on real builds of @libp2p/utils' filter hash for the browser, with the
// plugin and (to compare against the library) without it, then run here.
type Probe = typeof import('./fixtures/fnv1a-probe.ts')
const builds = buildsWithAndWithout<Probe>('fnv1a-probe.ts', [fnv1a32()], 60_000)

// the start of the library's 1,024-bit FNV prime, which only it carries
const WIDE_PRIMES = '5016456510113118655'

describe("the browser build's FNV-1a for @libp2p/utils' filters", () => {
  it("should leave the library's wide sizes out", () => {
    expect(builds.whole.code).toContain(WIDE_PRIMES)
    expect(builds.trimmed.code).not.toContain(WIDE_PRIMES)
  })

  it('should hash text and bytes exactly as the library does at 32 bits', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 256 })), input => {
      expect(builds.trimmed.module.hash(input)).toBe(builds.whole.module.hash(input))
    }), { numRuns: 2000 })
  })

  it('should give the known FNV-1a values', () => {
    // the reference values of FNV-1a 32 for "" and "a"
    expect(builds.trimmed.module.hash('')).toBe(0x811c9dc5)
    expect(builds.trimmed.module.hash('a')).toBe(0xe40c292c)
  })
})
