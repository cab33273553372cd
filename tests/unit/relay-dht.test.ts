import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { Key } from 'interface-datastore'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BoundedDatastore } from '../../relay/bounded-datastore.ts'
import { startRelay } from '../../relay/relay.ts'
import type { RunningRelay } from '../../relay/relay.ts'
import type { ClientDHT } from '../../src/lib/p2p/dht.ts'
import { Locator } from '../../src/lib/p2p/locator.ts'
import type { PeerlinkNode } from '../../src/lib/p2p/node.ts'
import { locationKey, sealLocation } from '../../src/lib/shared/location-record.ts'
import { parseRelayInfo } from '../../src/lib/shared/relay-info.ts'
import { reserveOn, TrackedClients, waitFor } from '../relay-clients.ts'

let dir: string
let first: RunningRelay
let second: RunningRelay
const clients = new TrackedClients()

/** the Locator only uses what a Node client has too: addresses, events and the DHT */
function locatorOf (node: Libp2p<{ dht: ClientDHT }>, key: PrivateKey): Locator {
  return new Locator(node as unknown as PeerlinkNode, key)
}

async function relayList (relay: RunningRelay): Promise<string[]> {
  return parseRelayInfo(await (await fetch(`${relay.url}/relay.json`)).json()).relays
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerlink-dht-test-'))
  const staticDir = join(dir, 'static')
  await mkdir(staticDir, { recursive: true })
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>test</title>')
  first = await startRelay({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'one'), staticDir })
  second = await startRelay({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'two'), staticDir, bootstrap: [first.multiaddrs[0]] })
}, 30_000)

afterAll(async () => {
  await clients.stopAll()
  await second?.stop()
  await first?.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('relays sharing a DHT', { timeout: 40_000 }, () => {
  it('should list each other in /relay.json once they have met', async () => {
    await waitFor(async () => (await relayList(second)).some(a => a.endsWith(`/p2p/${first.peerId}`)), 'relay 2 to list relay 1')
    await waitFor(async () => (await relayList(first)).some(a => a.endsWith(`/p2p/${second.peerId}`)), 'relay 1 to list relay 2')
    expect(await relayList(first)).not.toContain(first.multiaddrs[0])
  })

  it('should let a peer on relay 2 find, by peer ID alone, a peer that published on relay 1', async () => {
    await waitFor(async () => (await relayList(first)).length > 0, 'the relays to meet')
    const aliceKey = await generateKeyPair('Ed25519')
    const alice = await clients.dhtClient(aliceKey)
    await reserveOn(alice, first)
    const locator = locatorOf(alice, aliceKey)
    // started, it publishes by itself once the reservation gives it a circuit address
    locator.start()
    await waitFor(() => locator.stats.published > 0, 'the location to be published')
    locator.stop()

    const bobKey = await generateKeyPair('Ed25519')
    const bob = await clients.dhtClient(bobKey)
    await reserveOn(bob, second)
    const started = Date.now()
    const found = await locatorOf(bob, bobKey).find(alice.peerId)
    console.log(`[figure] DHT lookup across two relays (Node clients): ${Date.now() - started} ms`)
    expect(found).toEqual([first.multiaddrs[0]])
  })

  it('should load the DHT on its first use, not at the start, and still reach the relays connected before', async () => {
    const carolKey = await generateKeyPair('Ed25519')
    const carol = await clients.dhtClient(carolKey)
    await reserveOn(carol, first)
    // the start and the reservation did not need it
    expect(carol.services.dht.loaded).toBe(false)
    const locator = locatorOf(carol, carolKey)
    locator.start()
    await waitFor(() => locator.stats.published > 0, 'the location to be published')
    locator.stop()
    expect(carol.services.dht.loaded).toBe(true)
  })

  it('should refuse to store a location record that its peer did not sign', async () => {
    const aliceKey = await generateKeyPair('Ed25519')
    const alice = await clients.dhtClient(aliceKey)
    await reserveOn(alice, first)
    const malloryKey = await generateKeyPair('Ed25519')
    const mallory = await clients.dhtClient(malloryKey)
    await reserveOn(mallory, first)
    const stored = async (key: Uint8Array, value: Uint8Array): Promise<number> => {
      let count = 0
      for await (const event of mallory.services.dht.put(key, value, { signal: AbortSignal.timeout(10_000) })) {
        if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE') count++
      }
      return count
    }
    const circuitTo = (peer: string): ReturnType<typeof multiaddr> => multiaddr(`${second.multiaddrs[0]}/p2p-circuit/webrtc/p2p/${peer}`)
    // her own record is stored: the relays do take puts from her
    expect(await stored(locationKey(mallory.peerId), await sealLocation(malloryKey, mallory.peerId, [circuitTo(mallory.peerId.toString())]))).toBeGreaterThan(0)
    // but not one she signed that sends Alice's friends elsewhere, under Alice's key
    const forged = await sealLocation(malloryKey, mallory.peerId, [circuitTo(alice.peerId.toString())])
    expect(await stored(locationKey(alice.peerId), forged)).toBe(0)
    expect(await locatorOf(mallory, malloryKey).find(alice.peerId)).toEqual([])
  })

  it('should keep a peer\'s newer location when someone puts back one it signed before it moved', async () => {
    const aliceKey = await generateKeyPair('Ed25519')
    const alice = await clients.dhtClient(aliceKey)
    await reserveOn(alice, second)
    const circuitVia = (relay: string): ReturnType<typeof multiaddr> => multiaddr(`${relay}/p2p-circuit/webrtc/p2p/${alice.peerId.toString()}`)
    // ten minutes ago she was on relay 1; now she is on relay 2
    const before = await sealLocation(aliceKey, alice.peerId, [circuitVia(first.multiaddrs[0])], Date.now() - 10 * 60_000)
    const locator = locatorOf(alice, aliceKey)
    locator.start()
    await waitFor(() => locator.stats.published > 0, 'the location to be published')
    locator.stop()
    // anyone could have read the old record; Mallory puts it back on every relay
    const mallory = await clients.dhtClient()
    await reserveOn(mallory, first)
    for await (const _ of mallory.services.dht.put(locationKey(alice.peerId), before, { signal: AbortSignal.timeout(10_000) })) { /* drain */ }

    const bobKey = await generateKeyPair('Ed25519')
    const bob = await clients.dhtClient(bobKey)
    await reserveOn(bob, first)
    expect(await locatorOf(bob, bobKey).find(alice.peerId)).toEqual([second.multiaddrs[0]])
  })
})

describe('the relay datastore', () => {
  it('should keep at most the bound of DHT records, dropping the oldest, and leave other keys alone', async () => {
    const store = new BoundedDatastore([{ prefix: '/dht/record/', max: 3 }])
    for (let i = 0; i < 10; i++) await store.put(new Key(`/dht/record/${i}`), new Uint8Array([i]))
    await store.put(new Key('/peers/someone'), new Uint8Array([1]))
    // a refreshed record is young again
    await store.put(new Key('/dht/record/7'), new Uint8Array([7]))
    expect(store.count('/dht/record/')).toBe(3)
    expect(await store.has(new Key('/dht/record/0'))).toBe(false)
    expect(await store.has(new Key('/dht/record/7'))).toBe(true)
    await store.put(new Key('/dht/record/10'), new Uint8Array([10]))
    expect(await store.has(new Key('/dht/record/7'))).toBe(true)
    expect(await store.has(new Key('/dht/record/8'))).toBe(false)
    expect(await store.has(new Key('/peers/someone'))).toBe(true)
    await store.delete(new Key('/dht/record/9'))
    expect(store.count('/dht/record/')).toBe(2)
  })
})
