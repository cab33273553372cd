/**
 * A lookup among DHT servers that misbehave: one that holds an older record
 * of the peer and will not take the newest back, one that never answers. The
 * record the honest relay answered with must still reach the caller, soon.
 */
import { createHash } from 'node:crypto'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import { kadDHT, passthroughMapper, Record, type KadDHTInit } from '@libp2p/kad-dht'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { createLibp2p } from 'libp2p'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { xor } from 'uint8arrays/xor'
import { xorCompare } from 'uint8arrays/xor-compare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClientDHT } from '../../src/lib/p2p/dht.ts'
import { DHT_PROTOCOL, LOCATION_LOOKUP_TIMEOUT_MS } from '../../src/lib/p2p/constants.ts'
import { Locator } from '../../src/lib/p2p/locator.ts'
import type { PeerlinkNode } from '../../src/lib/p2p/node.ts'
import { LOCATION_NAMESPACE, locationKey, sealLocation } from '../../src/lib/shared/location-record.ts'
import { createDhtClient, reserveOn, startTestRelay, waitFor, type TestRelay } from '../relay-clients.ts'

let relay: TestRelay
const nodes: Libp2p[] = []

beforeAll(async () => { relay = await startTestRelay() }, 30_000)
afterAll(async () => {
  await Promise.all(nodes.map(async n => { await n.stop() }))
  await relay?.cleanup()
}, 30_000)

/** A Node stand-in for the browser, with the app's DHT client. */
async function client (privateKey?: PrivateKey): Promise<Libp2p<{ dht: ClientDHT }>> {
  const node = await createDhtClient(privateKey)
  nodes.push(node)
  return node
}

/** A DHT server of its own (not a Peerlink relay), with the datastore and DHT options given. */
async function dhtServer (datastore: MemoryDatastore, dht: Partial<KadDHTInit> = {}, privateKey?: PrivateKey): Promise<Libp2p> {
  return await createLibp2p({
    ...(privateKey != null ? { privateKey } : {}),
    datastore,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper, ...dht })
    }
  })
}

/** Alice publishes where she is now on the relay; returns her peer ID and key. */
async function alicePublished (key?: PrivateKey): Promise<{ id: PeerId, key: PrivateKey }> {
  key ??= await generateKeyPair('Ed25519')
  const alice = await client(key)
  await reserveOn(alice, relay.relay)
  const locator = new Locator(alice as unknown as PeerlinkNode, key)
  locator.start()
  await waitFor(() => locator.stats.published > 0, 'the location to be published')
  locator.stop()
  return { id: alice.peerId, key }
}

/** A peer on the relay, ready to look others up. */
async function bob (): Promise<Locator> {
  const key = await generateKeyPair('Ed25519')
  const node = await client(key)
  await reserveOn(node, relay.relay)
  return new Locator(node as unknown as PeerlinkNode, key)
}

/** A DHT server joined to the relay's routing table; returns once the relay has added it. */
async function joinDHT (node: Libp2p): Promise<void> {
  nodes.push(node)
  await node.dial(multiaddr(relay.relay.multiaddrs[0]))
  const table = (relay.relay.node.services.dht as unknown as { routingTable: { find: (peer: PeerId) => Promise<PeerId | undefined> } }).routingTable
  await waitFor(async () => (await table.find(node.peerId)) != null, 'the relay to take the server in its routing table')
}

/** Where kad-dht places a key or peer ID: the SHA-256 of its bytes. */
function kadId (bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest()
}

/**
 * A key for Alice whose location record lies closer to `server` than to the
 * relay: a lookup goes on to a server only when it is closer to the key than
 * the one that named it.
 */
async function aliceKeyNearer (server: PeerId): Promise<PrivateKey> {
  const [near, relayId] = [kadId(server.toMultihash().bytes), kadId(peerIdFromString(relay.relay.peerId).toMultihash().bytes)]
  while (true) {
    const key = await generateKeyPair('Ed25519')
    const target = kadId(locationKey(peerIdFromPrivateKey(key)))
    if (xorCompare(xor(near, target), xor(relayId, target)) < 0) return key
  }
}

/** A datastore whose DHT records are never read: a GET_VALUE to its DHT server waits forever. */
class StalledRecords extends MemoryDatastore {
  override get (key: Key): Promise<Uint8Array> {
    return key.toString().startsWith('/dht/record/') ? new Promise(() => {}) : Promise.resolve(super.get(key))
  }
}

describe('looking a peer up among misbehaving DHT servers', { timeout: 40_000 }, () => {
  it('should find the peer when a server holding an older record refuses to take the newest', async () => {
    const alice = await alicePublished()
    // a record Alice signed ten minutes ago, through another relay
    const oldRelay = '/ip4/127.0.0.1/tcp/9/ws/p2p/12D3KooWGRUVh1HLrvwC8CC8aSYRkw3iKPkBzo9oKBPLpHdGRzLc'
    const older = await sealLocation(alice.key, peerIdFromPrivateKey(alice.key), [multiaddr(`${oldRelay}/p2p-circuit/p2p/${alice.id.toString()}`)], Date.now() - 10 * 60_000)
    const key = locationKey(alice.id)
    const datastore = new MemoryDatastore()
    await datastore.put(new Key(`/dht/record/${uint8ArrayToString(key, 'base32')}`, false), new Record(key, older, new Date()).serialize())
    // it answers with the older record, and refuses every put, so the library's correction fails
    await joinDHT(await dhtServer(datastore, {
      validators: { [LOCATION_NAMESPACE]: async () => { throw new Error('refused') } },
      selectors: { [LOCATION_NAMESPACE]: async () => 0 }
    }))
    expect(await (await bob()).find(alice.id)).toEqual([relay.relay.multiaddrs[0]])
  })

  it('should end the lookup once the record is in hand, not wait for a server that never answers', async () => {
    const stalledKey = await generateKeyPair('Ed25519')
    const alice = await alicePublished(await aliceKeyNearer(peerIdFromPrivateKey(stalledKey)))
    const locator = await bob()
    // Bob's DHT has started and run its first self-query (which every query waits for)
    expect(await locator.find(alice.id)).toEqual([relay.relay.multiaddrs[0]])
    // then a DHT server joins that answers pings and FIND_NODE (so it stays in
    // the routing tables) but never a GET_VALUE: its record store has stalled
    await joinDHT(await dhtServer(new StalledRecords(), {}, stalledKey))
    const started = Date.now()
    expect(await locator.find(alice.id)).toEqual([relay.relay.multiaddrs[0]])
    // the stalled server holds the query for at least the 5 s kad-dht gives a
    // request, often for the whole lookup timeout; half of that is a wide margin
    expect(Date.now() - started).toBeLessThan(LOCATION_LOOKUP_TIMEOUT_MS / 2)
  })
})
