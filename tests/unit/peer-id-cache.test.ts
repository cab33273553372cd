import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PEER_ID_CACHE_SIZE, PeerIdCache } from '../../src/lib/p2p/peer-id-cache.ts'

async function peers (n: number): Promise<string[]> {
  return await Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
}

describe('PeerIdCache: peer IDs parsed once, a bounded number kept', () => {
  it('should hand back the same parsed ID for the same text, and refuse text that is not a peer ID', async () => {
    const [alice] = await peers(1)
    const cache = new PeerIdCache()
    const first = cache.get(alice)
    expect(first.toString()).toBe(alice)
    expect(cache.get(alice)).toBe(first)
    expect(() => cache.get('not-a-peer-id')).toThrow()
    expect(cache.size).toBe(1)
  })

  it('should keep at most PEER_ID_CACHE_SIZE, evicting the least recently used', async () => {
    const [kept, ...others] = await peers(PEER_ID_CACHE_SIZE + 10)
    const cache = new PeerIdCache()
    const keptId = cache.get(kept)
    const firstOther = cache.get(others[0])
    for (const peer of others.slice(1)) {
      cache.get(peer)
      // used all along, so never the oldest
      expect(cache.get(kept)).toBe(keptId)
    }
    expect(cache.size).toBe(PEER_ID_CACHE_SIZE)
    // the first of the others went out long ago: parsed afresh, equal but a new object
    const again = cache.get(others[0])
    expect(again).not.toBe(firstOther)
    expect(again.equals(firstOther)).toBe(true)
  })
})
