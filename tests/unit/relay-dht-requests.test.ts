/**
 * What a peer may ask the relay's DHT server to keep (relay/dht-requests.ts),
 * with requests written by hand where a libp2p client would never send them.
 */
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { Libp2p, PeerId, PrivateKey, Stream } from '@libp2p/interface'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { createLibp2p } from 'libp2p'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Datastore } from 'interface-datastore'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DHT_PROTOCOL, MAX_DHT_RECORDS } from '../../relay/constants.ts'
import { recordKey } from '../../relay/newest-location.ts'
import type { ClientDHT } from '../../src/lib/p2p/dht.ts'
import { locationKey, sealLocation } from '../../src/lib/shared/location-record.ts'
import { reserveOn, startTestRelay, TrackedClients, waitFor } from '../relay-clients.ts'
import type { TestRelay } from '../relay-clients.ts'
import { varint } from '../relay-raw.ts'

/** kad-dht's wire enum value of ADD_PROVIDER */
const ADD_PROVIDER = 2
/** addresses per message: about 10 KiB, within the relay's DHT message limit */
const ADDRS_PER_MESSAGE = 1000
const MESSAGES = 3
/** Ample for the relay to ping a newly identified DHT server and take it in its routing table (on loopback, milliseconds). */
const ROUTING_TABLE_SETTLE_MS = 1500

let server: TestRelay
const clients = new TrackedClients()

beforeAll(async () => { server = await startTestRelay() }, 30_000)
afterAll(async () => {
  await clients.stopAll()
  await server?.cleanup()
})

function concat (parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** a length-delimited protobuf field */
function field (no: number, bytes: Uint8Array): Uint8Array {
  return concat([varint(no << 3 | 2), varint(bytes.length), bytes])
}

/** ADD_PROVIDER for a random CID, naming the sender as provider with many addresses (Message: type 1, key 2, providerPeers 9; Peer: id 1, addrs 2) */
async function addProvider (sender: Libp2p, round: number): Promise<Uint8Array> {
  const addrs: Uint8Array[] = []
  for (let i = 0; i < ADDRS_PER_MESSAGE; i++) addrs.push(field(2, multiaddr(`/ip4/10.${round}.${i >> 8}.${i & 255}/tcp/1`).bytes))
  const cid = CID.createV1(0x55, await sha256.digest(Uint8Array.from([round])))
  const message = concat([Uint8Array.from([0x08, ADD_PROVIDER]), field(2, cid.multihash.bytes), field(9, concat([field(1, sender.peerId.toMultihash().bytes), ...addrs]))])
  return concat([varint(message.length), message])
}

/** A Node stand-in for a browser, with the app's DHT client, holding a reservation on the relay. */
async function dhtClient (key: PrivateKey): Promise<Libp2p<{ dht: ClientDHT }>> {
  const node = await clients.dhtClient(key)
  await reserveOn(node, server.relay)
  return node
}

/** How many DHT servers (here: the one relay) said they stored the value. */
async function stored (from: Libp2p<{ dht: ClientDHT }>, key: Uint8Array, value: Uint8Array): Promise<number> {
  let count = 0
  for await (const event of from.services.dht.put(key, value, { signal: AbortSignal.timeout(10_000) })) {
    if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE') count++
  }
  return count
}

/** A location record of the key's own peer, signed `ageMs` ago. */
async function locationOf (key: PrivateKey, ageMs = 0): Promise<Uint8Array> {
  const peer = peerIdFromPrivateKey(key)
  return await sealLocation(key, peer, [multiaddr(`${server.relay.multiaddrs[0]}/p2p-circuit/webrtc/p2p/${peer.toString()}`)], Date.now() - ageMs)
}

describe('the relay DHT server and what peers ask it to keep', { timeout: 40_000 }, () => {
  it('should not grow a peer\'s entry by the addresses its provider messages list', async () => {
    const mallory = await clients.client()
    const addr = multiaddr(server.relay.multiaddrs[0])
    await mallory.dial(addr)
    for (let round = 0; round < MESSAGES; round++) {
      // a fresh stream each time: a refused request ends its stream
      const stream: Stream = await mallory.dialProtocol(addr, DHT_PROTOCOL)
      stream.send(await addProvider(mallory, round))
      await new Promise(resolve => setTimeout(resolve, 200))
      await stream.close().catch(() => {})
    }
    const entry = await server.relay.node.peerStore.get(mallory.peerId)
    // what identify said (none: a client listening on /p2p-circuit only has no address before its reservation)
    expect(entry.addresses.length).toBeLessThan(ADDRS_PER_MESSAGE)
    expect(server.relay.node.status).toBe('started')
  })

  it('should take a location record only from its own peer, or in place of one it holds', async () => {
    const malloryKey = await generateKeyPair('Ed25519')
    const mallory = await dhtClient(malloryKey)
    // a key made up on the spot: its record is validly signed, and she holds a million more
    const madeUp = await generateKeyPair('Ed25519')
    const madeUpId = peerIdFromPrivateKey(madeUp)
    expect(await stored(mallory, locationKey(madeUpId), await locationOf(madeUp))).toBe(0)
    // nor a public key record, which kad-dht would otherwise take from anyone
    const pkKey = new Uint8Array([...new TextEncoder().encode('/pk/'), ...madeUpId.toMultihash().bytes])
    expect(await stored(mallory, pkKey, publicKeyToProtobuf(madeUp.publicKey))).toBe(0)
    // her own, yes
    expect(await stored(mallory, locationKey(mallory.peerId), await locationOf(malloryKey))).toBe(1)

    // Alice publishes an hour-old-ish record herself; a reader who found a newer one corrects the relay
    const aliceKey = await generateKeyPair('Ed25519')
    const alice = await dhtClient(aliceKey)
    expect(await stored(alice, locationKey(alice.peerId), await locationOf(aliceKey, 60_000))).toBe(1)
    expect(await stored(mallory, locationKey(alice.peerId), await locationOf(aliceKey))).toBe(1)
  })

  it('should not hand out, as a DHT server to ask, a peer reachable only through a relay', async () => {
    // a browser tab that runs the DHT as a server: it says it is one, and answers like one,
    // announcing its address through the relay from the start (as a tab coming back would)
    const key = await generateKeyPair('Ed25519')
    const mallory = await createLibp2p({
      privateKey: key,
      addresses: { listen: ['/p2p-circuit'], announce: [`${server.relay.multiaddrs[0]}/p2p-circuit/p2p/${peerIdFromPrivateKey(key).toString()}`] },
      transports: [webSockets(), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), ping: ping(), dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper }) }
    })
    clients.add(mallory)
    await reserveOn(mallory, server.relay)
    await waitFor(async () => (await server.relay.node.peerStore.get(mallory.peerId).catch(() => undefined))?.protocols.includes(DHT_PROTOCOL) === true, 'the relay to identify her')
    // kad-dht takes a server it identified in its routing table a moment later (a ping first)
    await new Promise(resolve => setTimeout(resolve, ROUTING_TABLE_SETTLE_MS))
    const table = (server.relay.node.services.dht as unknown as { routingTable: { find: (peer: PeerId) => Promise<PeerId | undefined> } }).routingTable
    expect(await table.find(mallory.peerId)).toBeUndefined()

    // Bob looks a key up: the relay's answer names the servers closer to it that it knows
    const bob = await dhtClient(await generateKeyPair('Ed25519'))
    const named: string[] = []
    for await (const event of bob.services.dht.get(locationKey(bob.peerId), { signal: AbortSignal.timeout(10_000) })) {
      if (event.name === 'PEER_RESPONSE') named.push(...event.closer.map(peer => peer.id.toString()))
    }
    expect(named).not.toContain(mallory.peerId.toString())
  })

  it('should keep the location record of a browser connected here through a flood of records put by peers that left', async () => {
    const aliceKey = await generateKeyPair('Ed25519')
    const alice = await dhtClient(aliceKey)
    expect(await stored(alice, locationKey(alice.peerId), await locationOf(aliceKey))).toBe(1)
    // fresh keys cost nothing: a bound's worth of peers each put their own record and hang up
    const datastore = (server.relay.node as unknown as { components: { datastore: Datastore } }).components.datastore
    const flood = Array.from({ length: MAX_DHT_RECORDS }, (_, i) => recordKey(new TextEncoder().encode(`/peerlink/departed-${i}`)))
    try {
      for (const key of flood) await datastore.put(key, Uint8Array.of(1))
      expect(await datastore.has(recordKey(locationKey(alice.peerId)))).toBe(true)
    } finally {
      for (const key of flood) await datastore.delete(key)
    }
  })
})
