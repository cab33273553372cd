import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { generateKeyPairFromSeed, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { getPublicKeyAsync } from '@noble/ed25519'
import { InvalidIdentityError, assertKeyPair, createIdentity, identityFromBytes, nobleEd25519, webCryptoEd25519 } from '../../src/lib/p2p/identity.ts'

// the fallback's library, watched: the browser build has no other Ed25519 key generation to fall back on
vi.mock('@noble/ed25519', async (original) => {
  const noble = await original<typeof import('@noble/ed25519')>()
  return { ...noble, getPublicKeyAsync: vi.fn(noble.getPublicKeyAsync) }
})

describe('identity', () => {
  it('gives the same peer ID every time the stored bytes are loaded', async () => {
    const bytes = await createIdentity()
    const first = peerIdFromPrivateKey(identityFromBytes(bytes))
    const again = peerIdFromPrivateKey(identityFromBytes(Uint8Array.from(bytes)))
    expect(again.equals(first)).toBe(true)
    expect(first.type).toBe('Ed25519')
  })

  it('creates a different identity each time', async () => {
    const a = peerIdFromPrivateKey(identityFromBytes(await createIdentity()))
    const b = peerIdFromPrivateKey(identityFromBytes(await createIdentity()))
    expect(a.equals(b)).toBe(false)
  })

  it('should refuse damaged bytes instead of making a new identity', () => {
    expect(() => identityFromBytes(new Uint8Array([1, 2, 3]))).toThrow(InvalidIdentityError)
  })
})

describe('identity made by WebCrypto', () => {
  it('is the key noble derives from the same seed, and signs what libp2p verifies', async () => {
    const key = await webCryptoEd25519()
    const seed = key.raw.subarray(0, 32)
    const fromSeed = await generateKeyPairFromSeed('Ed25519', seed)
    expect(key.publicKey.equals(fromSeed.publicKey)).toBe(true)
    const data = new TextEncoder().encode('noise static key')
    const signature = await key.sign(data)
    expect(await fromSeed.publicKey.verify(data, signature)).toBe(true)
    // the stored form loads back to the same peer ID
    const bytes = privateKeyToProtobuf(key)
    expect(peerIdFromPrivateKey(identityFromBytes(bytes)).equals(peerIdFromPrivateKey(key))).toBe(true)
  })
})

describe('identity where WebCrypto lacks Ed25519', () => {
  beforeEach(() => { vi.mocked(getPublicKeyAsync).mockClear() })
  afterEach(() => { vi.restoreAllMocks() })

  it('is made by @noble/ed25519: the key libp2p derives from the same seed', async () => {
    const key = await nobleEd25519()
    expect(getPublicKeyAsync).toHaveBeenCalledOnce()
    const fromSeed = await generateKeyPairFromSeed('Ed25519', key.raw.subarray(0, 32))
    expect(key.publicKey.equals(fromSeed.publicKey)).toBe(true)
    await assertKeyPair(key)
  })

  it('is what createIdentity falls back to', async () => {
    const generate = crypto.subtle.generateKey.bind(crypto.subtle)
    vi.spyOn(crypto.subtle, 'generateKey').mockImplementation(async (algorithm, ...rest) => {
      if ((algorithm as Algorithm).name === 'Ed25519') throw new DOMException('Unrecognized name', 'NotSupportedError')
      return await (generate as (...args: unknown[]) => Promise<CryptoKey | CryptoKeyPair>)(algorithm, ...rest)
    })
    const key = identityFromBytes(await createIdentity())
    expect(getPublicKeyAsync).toHaveBeenCalledOnce()
    await assertKeyPair(key)
    const fromSeed = await generateKeyPairFromSeed('Ed25519', key.raw.subarray(0, 32))
    expect(key.publicKey.equals(fromSeed.publicKey)).toBe(true)
  })
})
