import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import fc from 'fast-check'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { ed25519ByWebCrypto } from '../../vite/ed25519-by-webcrypto.ts'
import { buildForBrowser, buildsWithAndWithout, type BrowserBuild } from './browser-build.ts'

// The plugins are judged on real browser builds of @libp2p/crypto and Noise,
// with them and without them, run here (Node's WebCrypto has Ed25519 and
// X25519, as the browsers Peerlink targets do).
type Probe = typeof import('./fixtures/edwards-probe.ts')
const FIXTURE = 'edwards-probe.ts'
const BUILD_TIMEOUT_MS = 60_000
const builds = buildsWithAndWithout<Probe>(FIXTURE, ed25519ByWebCrypto(), BUILD_TIMEOUT_MS)

/** a constant of noble's Edwards code (√-1 mod 2^255 - 19, in decimal): there in a build that carries it */
const EDWARDS_CONSTANT = '19681161376707505956807079304988542015446066515923890162744021073123829784752'
/** property runs: each one signs or agrees on keys in two builds */
const RUNS = 25

const seeds = fc.uint8Array({ minLength: 32, maxLength: 32 })
const messages = fc.uint8Array({ maxLength: 256 })

async function rawKeyPair (seed: Uint8Array): Promise<{ privateKey: Uint8Array, publicKey: Uint8Array }> {
  const key = await generateKeyPairFromSeed('Ed25519', seed)
  return { privateKey: key.raw, publicKey: key.publicKey.raw }
}

describe('Ed25519 by WebCrypto and X25519 by the ladder alone, in the browser build', () => {
  it('should sign exactly as the library does, and verify what it signs', async () => {
    await fc.assert(fc.asyncProperty(seeds, messages, async (seed, message) => {
      const { privateKey, publicKey } = await rawKeyPair(seed)
      const signature = await builds.trimmed.module.sign(privateKey, message)
      // Ed25519 signatures are deterministic: the same bytes, or one of the two is wrong
      expect(signature).toEqual(await builds.whole.module.sign(privateKey, message))
      expect(await builds.trimmed.module.verify(publicKey, message, signature)).toBe(true)
    }), { numRuns: RUNS })
  })

  it('should refuse a signature of another message, or by another key', async () => {
    const { privateKey, publicKey } = await rawKeyPair(new Uint8Array(32).fill(1))
    const other = await rawKeyPair(new Uint8Array(32).fill(2))
    const message = new TextEncoder().encode('peerlink')
    const signature = await builds.trimmed.module.sign(privateKey, message)
    expect(await builds.trimmed.module.verify(publicKey, new TextEncoder().encode('peerlinK'), signature)).toBe(false)
    expect(await builds.trimmed.module.verify(other.publicKey, message, signature)).toBe(false)
  })

  it('should make the X25519 public keys and shared secrets the library makes', async () => {
    const [mine, theirs] = [builds.trimmed.module.noise, builds.whole.module.noise]
    await fc.assert(fc.property(seeds, seeds, (a, b) => {
      const ours = mine.generateX25519KeyPairFromSeed(a.slice())
      expect(ours.publicKey).toEqual(theirs.generateX25519KeyPairFromSeed(a.slice()).publicKey)
      const peer = theirs.generateX25519KeyPairFromSeed(b.slice())
      expect(mine.generateX25519SharedKey(ours.privateKey, peer.publicKey)).toEqual(theirs.generateX25519SharedKey(a.slice(), peer.publicKey))
    }), { numRuns: RUNS })
    // and a fresh pair, as Noise makes when the page's pool of WebCrypto keys is empty
    const fresh = mine.generateX25519KeyPair()
    expect(fresh.publicKey).toEqual(theirs.generateX25519KeyPairFromSeed(fresh.privateKey.slice()).publicKey)
  })

  it('should refuse to make Ed25519 keys, which the app makes itself', async () => {
    await expect(builds.trimmed.module.generateEd25519()).rejects.toThrow(/identity\.ts/)
  })

  it('should leave noble\'s Edwards code out of the build', () => {
    expect(builds.whole.code).toContain(EDWARDS_CONSTANT)
    expect(builds.trimmed.code).not.toContain(EDWARDS_CONSTANT)
    // @noble/ed25519 is a chunk of its own, fetched only where WebCrypto lacks Ed25519
    expect(builds.trimmed.code).not.toContain('getPublicKeyAsync')
  })
})

describe('Ed25519 in the browser build: WebCrypto, or @noble/ed25519 where WebCrypto lacks it', () => {
  // a build for each test: the module remembers that WebCrypto lacks Ed25519
  let built: BrowserBuild<Probe> | undefined
  let privateKey: Uint8Array
  let publicKey: Uint8Array
  const message = new TextEncoder().encode('peerlink')

  beforeAll(async () => {
    ({ privateKey, publicKey } = await rawKeyPair(new Uint8Array(32).fill(7)))
  })

  /** WebCrypto's importKey, failing for Ed25519 with `error` (by name) while `failing()` says so */
  function importKeyFailing (error: string, failing: () => boolean = () => true): ReturnType<typeof vi.spyOn> {
    const importKey = crypto.subtle.importKey.bind(crypto.subtle) as (...args: unknown[]) => Promise<CryptoKey>
    return vi.spyOn(crypto.subtle, 'importKey').mockImplementation(async (format, data, algorithm, ...rest) => {
      if ((algorithm as Algorithm).name === 'Ed25519' && failing()) throw new DOMException(`refused by the test (${error})`, error)
      return await importKey(format, data, algorithm, ...rest)
    })
  }

  afterEach(async () => {
    vi.restoreAllMocks()
    await built?.remove()
    built = undefined
  })

  it('should sign and verify with @noble/ed25519 where WebCrypto does not know Ed25519, as the library does', async () => {
    built = await buildForBrowser<Probe>(FIXTURE, ed25519ByWebCrypto())
    // the library's signature, made while WebCrypto still has Ed25519
    const expected = await builds.whole.module.sign(privateKey, message)
    const refused = importKeyFailing('NotSupportedError')
    const signature = await built.module.sign(privateKey, message)
    expect(refused).toHaveBeenCalled()
    expect(signature).toEqual(expected)
    expect(await built.module.verify(publicKey, message, signature)).toBe(true)
    expect(await built.module.verify(publicKey, new TextEncoder().encode('something else'), signature)).toBe(false)
  }, BUILD_TIMEOUT_MS)

  it('should pass any other WebCrypto error on, and keep using WebCrypto after it', async () => {
    built = await buildForBrowser<Probe>(FIXTURE, ed25519ByWebCrypto())
    const signature = await builds.whole.module.sign(privateKey, message)
    let once = true
    const importKey = importKeyFailing('DataError', () => once)
    // a key WebCrypto cannot read (as a peer's could be) is an error, as in the library
    await expect(built.module.verify(publicKey, message, signature)).rejects.toMatchObject({ name: 'DataError' })
    once = false
    const calls = importKey.mock.calls.length
    expect(await built.module.verify(publicKey, message, signature)).toBe(true)
    // by WebCrypto again, not by the fallback
    expect(importKey.mock.calls.length).toBe(calls + 1)
  }, BUILD_TIMEOUT_MS)
})
