/**
 * A lookup among DHT servers that misbehave: one that holds an older record
 * of the peer and will not take the newest back. The record the honest relay
 * answered with must still reach the caller.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import { kadDHT, passthroughMapper, Record } from '@libp2p/kad-dht'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { createLibp2p } from 'libp2p'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientDHT, type ClientDHT } from '../../src/lib/p2p/dht.ts'
import { DHT_PROTOCOL } from '../../src/lib/p2p/constants.ts'
import { Locator } from '../../src/lib/p2p/locator.ts'
import type { PeerlinkNode } from '../../src/lib/p2p/node.ts'
import { LOCATION_NAMESPACE, locationKey, sealLocation } from '../../src/lib/shared/location-record.ts'
import { reserveOn, startTestRelay, waitFor, type TestRelay } from '../relay-clients.ts'

let relay: TestRelay
const nodes: Libp2p[] = []

beforeAll(async () => { relay = await startTestRelay() }, 30_000)
afterAll(async () => {
  await Promise.all(nodes.map(async n => { await n.stop() }))
  await relay?.cleanup()
}, 30_000)

/** A Node stand-in for the browser, with the app's DHT client. */
async function client (privateKey?: PrivateKey): Promise<Libp2p<{ dht: ClientDHT }>> {
  const node = await createLibp2p({
    ...(privateKey != null ? { privateKey } : {}),
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping(), dht: clientDHT() }
  })
  nodes.push(node)
  return node
}

/** Alice publishes where she is now on the relay; returns her peer ID and key. */
async function alicePublished (): Promise<{ id: PeerId, key: PrivateKey }> {
  const key = await generateKeyPair('Ed25519')
  const alice = await client(key)
  await reserveOn(alice, relay.relay)
  const locator = new Locator(alice as unknown as PeerlinkNode, key)
  locator.start()
  await waitFor(() => locator.stats.published > 0, 'the location to be published')
  locator.stop()
  return { id: alice.peerId, key }
}

/** A fresh peer on the relay looks Alice up. */
async function lookUp (alice: PeerId): Promise<string[]> {
  const key = await generateKeyPair('Ed25519')
  const bob = await client(key)
  await reserveOn(bob, relay.relay)
  return await new Locator(bob as unknown as PeerlinkNode, key).find(alice)
}

/** A DHT server joined to the relay's routing table; returns once the relay has had time to add it. */
async function joinDHT (node: Libp2p): Promise<void> {
  nodes.push(node)
  await node.dial(multiaddr(relay.relay.multiaddrs[0]))
  await waitFor(async () => (await relay.relay.node.peerStore.get(node.peerId).catch(() => undefined))?.protocols.includes(DHT_PROTOCOL) === true, 'the relay to identify the server')
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
    await joinDHT(await createLibp2p({
      datastore,
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        ping: ping(),
        dht: kadDHT({
          protocol: DHT_PROTOCOL,
          clientMode: false,
          peerInfoMapper: passthroughMapper,
          validators: { [LOCATION_NAMESPACE]: async () => { throw new Error('refused') } },
          selectors: { [LOCATION_NAMESPACE]: async () => 0 }
        })
      }
    }))
    expect(await lookUp(alice.id)).toEqual([relay.relay.multiaddrs[0]])
  })
})
