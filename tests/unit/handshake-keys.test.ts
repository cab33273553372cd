import { pureJsCrypto } from '@libp2p/noise'
import { describe, expect, it } from 'vitest'
import { HandshakeKeyPool, webCryptoX25519 } from '../../src/lib/p2p/handshake-keys.ts'
import { pooledNoiseCrypto } from '../../src/lib/p2p/node.ts'

describe('handshake keys made by WebCrypto', () => {
  it('are X25519 pairs that agree with the pure-JS Diffie-Hellman Noise runs', async () => {
    const ours = await webCryptoX25519()
    expect(pureJsCrypto.generateX25519KeyPairFromSeed(ours.privateKey).publicKey).toEqual(ours.publicKey)
    const theirs = pureJsCrypto.generateX25519KeyPair()
    expect(pureJsCrypto.generateX25519SharedKey(ours.privateKey, theirs.publicKey))
      .toEqual(pureJsCrypto.generateX25519SharedKey(theirs.privateKey, ours.publicKey))
  })
})

describe('HandshakeKeyPool', () => {
  it('hands each pair out once and refills behind it', async () => {
    const pool = new HandshakeKeyPool(2)
    await pool.fill()
    expect(pool.available).toBe(2)
    const first = pool.take()
    const second = pool.take()
    expect(first).toBeDefined()
    expect(second).toBeDefined()
    expect(second?.privateKey).not.toEqual(first?.privateKey)
    await pool.fill()
    expect(pool.available).toBe(2)
    const third = pool.take()
    expect([first?.privateKey, second?.privateKey]).not.toContainEqual(third?.privateKey)
  })

  it('is empty, not broken, where WebCrypto has no X25519: Noise then makes its own keys', async () => {
    const pool = new HandshakeKeyPool(2, async () => { throw new DOMException('Unrecognized name', 'NotSupportedError') })
    await pool.fill()
    expect(pool.available).toBe(0)
    expect(pool.take()).toBeUndefined()
    const pair = pooledNoiseCrypto(pool).generateX25519KeyPair()
    expect(pureJsCrypto.generateX25519KeyPairFromSeed(pair.privateKey).publicKey).toEqual(pair.publicKey)
  })

  it('gives Noise the pooled pair while it has one, then its own', async () => {
    const made = await webCryptoX25519()
    let calls = 0
    const pool = new HandshakeKeyPool(1, async () => {
      if (calls++ > 0) throw new DOMException('only one', 'OperationError')
      return made
    })
    await pool.fill()
    const crypto = pooledNoiseCrypto(pool)
    expect(crypto.generateX25519KeyPair()).toBe(made)
    await pool.fill()
    const own = crypto.generateX25519KeyPair()
    expect(own).not.toBe(made)
    expect(own.privateKey).not.toEqual(made.privateKey)
  })
})
