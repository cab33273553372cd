import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  InvalidLocationError, LOCATION_CLOCK_SKEW_MS, LOCATION_TTL_MS, MAX_LOCATION_BYTES, locationKey,
  openLocation, sealLocation, selectLocation, validateLocation
} from '../../src/lib/shared/location-record.ts'

const RELAY = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWGRUVh1HLrvwC8CC8aSYRkw3iKPkBzo9oKBPLpHdGRzLc'

async function someone (): Promise<{ key: Awaited<ReturnType<typeof generateKeyPair>>, id: ReturnType<typeof peerIdFromPrivateKey> }> {
  const key = await generateKeyPair('Ed25519')
  return { key, id: peerIdFromPrivateKey(key) }
}

function circuit (peer: string): ReturnType<typeof multiaddr> {
  return multiaddr(`${RELAY}/p2p-circuit/webrtc/p2p/${peer}`)
}

describe('location records', () => {
  it('should open what its owner sealed, with the addresses and the time', async () => {
    const alice = await someone()
    const now = Date.now()
    const value = await sealLocation(alice.key, alice.id, [circuit(alice.id.toString())], now)
    const location = await openLocation(locationKey(alice.id), value, now)
    expect(location.peerId.equals(alice.id)).toBe(true)
    expect(location.multiaddrs.map(String)).toEqual([circuit(alice.id.toString()).toString()])
    expect(location.issuedAt).toBe(now)
  })

  it('should refuse a record signed by someone else under a peer\'s key', async () => {
    const alice = await someone()
    const mallory = await someone()
    // Mallory signs a record about herself and tries to store it as Alice's location
    const value = await sealLocation(mallory.key, mallory.id, [circuit(alice.id.toString())])
    await expect(openLocation(locationKey(alice.id), value)).rejects.toThrow(/not signed by the peer it names/)
    await expect(validateLocation(locationKey(alice.id), value)).rejects.toBeInstanceOf(InvalidLocationError)
  })

  it('should refuse an expired record and one dated too far in the future', async () => {
    const alice = await someone()
    const now = Date.now()
    const key = locationKey(alice.id)
    const old = await sealLocation(alice.key, alice.id, [circuit(alice.id.toString())], now - LOCATION_TTL_MS - 1)
    await expect(openLocation(key, old, now)).rejects.toThrow(/expired/)
    const future = await sealLocation(alice.key, alice.id, [circuit(alice.id.toString())], now + LOCATION_CLOCK_SKEW_MS + 1)
    await expect(openLocation(key, future, now)).rejects.toThrow(/future/)
  })

  it('should refuse keys outside its namespace and oversized values', async () => {
    const alice = await someone()
    const value = await sealLocation(alice.key, alice.id, [circuit(alice.id.toString())])
    await expect(openLocation(new TextEncoder().encode(`/pk/${alice.id.toString()}`), value)).rejects.toThrow(/not a Peerlink location key/)
    await expect(openLocation(new TextEncoder().encode('/peerlink/notapeer'), value)).rejects.toThrow(/peer ID/)
    await expect(openLocation(locationKey(alice.id), new Uint8Array(MAX_LOCATION_BYTES + 1))).rejects.toThrow(/too large/)
  })

  it('should throw only InvalidLocationError on arbitrary bytes', async () => {
    const alice = await someone()
    const key = locationKey(alice.id)
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
      const error = await openLocation(key, bytes).then(() => undefined, (err: unknown) => err)
      expect(error).toBeInstanceOf(InvalidLocationError)
    }), { numRuns: 300 })
  })

  it('should select the newest valid record, and never an invalid one', async () => {
    const alice = await someone()
    const mallory = await someone()
    const now = Date.now()
    const key = locationKey(alice.id)
    const older = await sealLocation(alice.key, alice.id, [circuit(alice.id.toString())], now - 60_000)
    const newer = await sealLocation(alice.key, alice.id, [circuit(alice.id.toString())], now - 1_000)
    const forged = await sealLocation(mallory.key, mallory.id, [circuit(alice.id.toString())], now)
    expect(await selectLocation(key, [older, newer])).toBe(1)
    expect(await selectLocation(key, [newer, older])).toBe(0)
    expect(await selectLocation(key, [forged, older])).toBe(1)
  })
})
