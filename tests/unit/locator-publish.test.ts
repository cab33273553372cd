/**
 * Publishing where we are when the DHT already holds a record of ours
 * dated later than our clock says it is now.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClientDHT } from '../../src/lib/p2p/dht.ts'
import { Locator } from '../../src/lib/p2p/locator.ts'
import type { PeerlinkNode } from '../../src/lib/p2p/node.ts'
import { locationKey, sealLocation } from '../../src/lib/shared/location-record.ts'
import { createDhtClient, reserveOn, startTestRelay, type TestRelay } from '../relay-clients.ts'

/** How far ahead Alice's clock was: within what the relays accept (LOCATION_CLOCK_SKEW_MS). */
const AHEAD_MS = 20 * 60_000
/** A relay she is no longer on (nothing listens there). */
const OLD_RELAY = '/ip4/127.0.0.1/tcp/9/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'

let relay: TestRelay
const nodes: Libp2p[] = []

beforeAll(async () => { relay = await startTestRelay() }, 30_000)
afterAll(async () => {
  await Promise.all(nodes.map(async n => { await n.stop() }))
  await relay?.cleanup()
}, 30_000)

async function client (): Promise<{ node: Libp2p<{ dht: ClientDHT }>, locator: Locator }> {
  const key = await generateKeyPair('Ed25519')
  const node = await createDhtClient(key)
  nodes.push(node)
  await reserveOn(node, relay.relay)
  return { node, locator: new Locator(node as unknown as PeerlinkNode, key) }
}

describe('publishing our location', { timeout: 40_000 }, () => {
  it('should be taken when a record of ours signed while our clock ran ahead is still held', async () => {
    const key = await generateKeyPair('Ed25519')
    const alice = await createDhtClient(key)
    nodes.push(alice)
    await reserveOn(alice, relay.relay)
    // earlier, on another relay, her clock 20 minutes fast; it has since been set right
    const before = await sealLocation(key, alice.peerId, [multiaddr(`${OLD_RELAY}/p2p-circuit/webrtc/p2p/${alice.peerId.toString()}`)], Date.now() + AHEAD_MS)
    for await (const _ of alice.services.dht.put(locationKey(alice.peerId), before, { signal: AbortSignal.timeout(10_000) })) { /* drain */ }

    const locator = new Locator(alice as unknown as PeerlinkNode, key)
    locator.start()
    try {
      expect(await locator.publishNow()).toBe(true)
    } finally {
      locator.stop()
    }
    const bob = await client()
    expect(await bob.locator.find(alice.peerId)).toEqual([relay.relay.multiaddrs[0]])
  })
})
