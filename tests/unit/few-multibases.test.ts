import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fewMultibases } from '../../vite/few-multibases.ts'
import { buildForBrowser, type BrowserBuild } from './browser-build.ts'

// Judged on real builds of uint8arrays for the browser, with the plugin and
// (to show what it takes out) without it.
type Probe = typeof import('./fixtures/multibase-probe.ts')
let trimmed: BrowserBuild<Probe>
let whole: BrowserBuild<Probe>

beforeAll(async () => {
  [trimmed, whole] = await Promise.all([
    buildForBrowser<Probe>('multibase-probe.ts', [fewMultibases()]),
    buildForBrowser<Probe>('multibase-probe.ts', [])
  ])
}, 60_000)

afterAll(async () => {
  await Promise.all([trimmed?.remove(), whole?.remove()])
})

// under 128, so that they are text as well (utf8 is on the list)
const BYTES = Uint8Array.from({ length: 40 }, (_, i) => (i * 37) % 128)
/** what the page writes and reads: peer IDs, CIDs, keys and hashes, text, the DHT routing table's bit strings, /ipcidr */
const KEPT = ['base58btc', 'base32', 'base36', 'base64', 'base64url', 'base16', 'hex', 'utf8', 'base2', 'base10']
const DROPPED = ['base8', 'base256emoji']
/** the first letter of base256emoji's alphabet */
const EMOJI_ALPHABET_START = '🚀'

describe('the browser build keeps only the multibases the page uses', () => {
  it('should leave base256emoji\'s alphabet out', () => {
    expect(whole.code).toContain(EMOJI_ALPHABET_START)
    expect(trimmed.code).not.toContain(EMOJI_ALPHABET_START)
    expect(trimmed.code.length).toBeLessThan(whole.code.length)
  })

  it('should write and read back every encoding the page uses', () => {
    for (const encoding of KEPT) expect(trimmed.module.roundTrip(BYTES, encoding), encoding).toEqual(BYTES)
  })

  it('should refuse the dropped ones with uint8arrays\' own error, as any unknown name', () => {
    for (const encoding of DROPPED) {
      expect(whole.module.encode(BYTES, encoding), encoding).not.toBe('')
      expect(() => trimmed.module.encode(BYTES, encoding), encoding).toThrow(/Unsupported encoding/)
    }
  })
})
