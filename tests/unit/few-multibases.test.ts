import { describe, expect, it } from 'vitest'
import { fewMultibases } from '../../vite/few-multibases.ts'
import { buildsWithAndWithout } from './browser-build.ts'

// Judged on real builds of uint8arrays for the browser, with the plugin and
// (to show what it takes out) without it.
type Probe = typeof import('./fixtures/multibase-probe.ts')
const builds = buildsWithAndWithout<Probe>('multibase-probe.ts', [fewMultibases()], 60_000)

// under 128, so that they are text as well (utf8 is on the list)
const BYTES = Uint8Array.from({ length: 40 }, (_, i) => (i * 37) % 128)
/** what the page writes and reads: peer IDs, CIDs, keys and hashes, text, the DHT routing table's bit strings, /ipcidr */
const KEPT = ['base58btc', 'base32', 'base36', 'base64', 'base64url', 'base16', 'hex', 'utf8', 'base2', 'base10']
const DROPPED = ['base8', 'base256emoji']
/** the first letter of base256emoji's alphabet */
const EMOJI_ALPHABET_START = '🚀'

describe('the browser build keeps only the multibases the page uses', () => {
  it('should leave base256emoji\'s alphabet out', () => {
    expect(builds.whole.code).toContain(EMOJI_ALPHABET_START)
    expect(builds.trimmed.code).not.toContain(EMOJI_ALPHABET_START)
    expect(builds.trimmed.code.length).toBeLessThan(builds.whole.code.length)
  })

  it('should write and read back every encoding the page uses', () => {
    for (const encoding of KEPT) expect(builds.trimmed.module.roundTrip(BYTES, encoding), encoding).toEqual(BYTES)
  })

  it('should refuse the dropped ones with uint8arrays\' own error, as any unknown name', () => {
    for (const encoding of DROPPED) {
      expect(builds.whole.module.encode(BYTES, encoding), encoding).not.toBe('')
      expect(() => builds.trimmed.module.encode(BYTES, encoding), encoding).toThrow(/Unsupported encoding/)
    }
  })
})
