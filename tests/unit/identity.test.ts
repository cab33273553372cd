import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { InvalidIdentityError, createIdentity, identityFromBytes } from '../../src/lib/p2p/identity.ts'

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
