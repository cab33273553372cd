/**
 * The relay's peer store stays bounded: libp2p keeps a record of every peer
 * that ever connected, so a relay seeing many throwaway peer IDs (new
 * browsers, a client that reconnects with a fresh key each time) would hold
 * them all for good. Departed peers go first; ours and connected ones stay.
 */
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { webSockets } from '@libp2p/websockets'
import { Key } from 'interface-datastore'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { BoundedDatastore, EVICTION_SCAN } from '../../relay/bounded-datastore.ts'
import { INBOUND_CONNECTIONS_PER_SECOND, PEER_RECORD_PREFIX } from '../../relay/constants.ts'
import { KeptPeerRecords, peerRecordKey } from '../../relay/peer-records.ts'
import { createClient, waitFor } from '../relay-clients.ts'

/** Departed peers the hub in these tests remembers. */
const BOUND = 2

const nodes: Libp2p[] = []
afterEach(async () => { await Promise.all(nodes.splice(0).map(async n => { await n.stop() })) })

/** A relay-like listener with the relay's peer record bound, set low. */
async function hub (bootstrap: string[] = []): Promise<{ node: Libp2p, store: BoundedDatastore }> {
  const kept = new KeptPeerRecords()
  const store = new BoundedDatastore([{ prefix: PEER_RECORD_PREFIX, max: BOUND, keep: kept.has }])
  const node = await createLibp2p({
    datastore: store,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    // libp2p's default takes 5 connections a second from one address; these all come from loopback
    connectionManager: { inboundConnectionThreshold: INBOUND_CONNECTIONS_PER_SECOND },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
  kept.follow(node, bootstrap)
  nodes.push(node)
  return { node, store }
}

async function visitor (to: Libp2p): Promise<Libp2p> {
  const node = await createClient()
  nodes.push(node)
  await node.dial(to.getMultiaddrs()[0])
  // identify has written what the visitor runs into the hub's peer store
  await waitFor(async () => (await to.peerStore.get(node.peerId).catch(() => undefined))?.protocols.length !== 0 &&
    await to.peerStore.has(node.peerId), 'the hub to record the visitor')
  return node
}

describe('the relay peer store', () => {
  it('should drop the records of peers that left, oldest first, and keep its own and every connected peer\'s', async () => {
    const { node, store } = await hub()
    const stays = await visitor(node)
    const left = []
    for (let i = 0; i < 4; i++) {
      const one = await visitor(node)
      await one.stop()
      left.push(one)
      await waitFor(() => node.getConnections(one.peerId).length === 0, 'the hub to see the visitor go')
    }
    const last = await visitor(node)
    const has = async (peer: Libp2p['peerId']): Promise<boolean> => await store.has(new Key(peerRecordKey(peer)))
    // the key is the library's own: without it nothing would be recognised as kept
    expect(await has(stays.peerId)).toBe(true)
    expect(await has(node.peerId)).toBe(true)
    expect(await has(last.peerId)).toBe(true)
    expect(await has(left[0].peerId)).toBe(false)
    expect(await has(left[1].peerId)).toBe(false)
    expect(store.count(PEER_RECORD_PREFIX)).toBeLessThanOrEqual(BOUND + 1)
    // a kept peer that leaves is dropped in its turn
    await stays.stop()
    await waitFor(() => node.getConnections(stays.peerId).length === 0, 'the hub to see it go')
    await visitor(node)
    await visitor(node)
    expect(await has(stays.peerId)).toBe(false)
    expect(await has(node.peerId)).toBe(true)
  })

  it('should keep a bootstrap relay\'s record while it is away', async () => {
    const relayAway = await createClient()
    nodes.push(relayAway)
    const { node, store } = await hub([`/ip4/127.0.0.1/tcp/9/ws/p2p/${relayAway.peerId.toString()}`])
    await node.peerStore.merge(relayAway.peerId, { tags: { 'keep-alive': { value: 1 } } })
    for (let i = 0; i < 4; i++) await (await visitor(node)).stop()
    expect(await store.has(new Key(peerRecordKey(relayAway.peerId)))).toBe(true)
  })
})

describe('BoundedDatastore with entries it must keep', () => {
  it('should pass kept entries over, look at most EVICTION_SCAN of them per put, and drop the oldest other', async () => {
    const kept = new Set<string>()
    let looked = 0
    const store = new BoundedDatastore([{ prefix: '/p/', max: 2, keep: key => { looked++; return kept.has(key) } }])
    for (let i = 0; i < EVICTION_SCAN + 2; i++) {
      kept.add(`/p/k${i}`)
      await store.put(new Key(`/p/k${i}`), new Uint8Array([1]))
    }
    // all kept: over the bound rather than walking everything on each put
    expect(store.count('/p/')).toBe(EVICTION_SCAN + 2)
    looked = 0
    await store.put(new Key('/p/free'), new Uint8Array([1]))
    expect(looked).toBe(EVICTION_SCAN)
    kept.delete('/p/k0')
    await store.put(new Key('/p/another'), new Uint8Array([1]))
    expect(await store.has(new Key('/p/k0'))).toBe(false)
    expect(await store.has(new Key('/p/another'))).toBe(true)
    expect(await store.has(new Key('/p/k1'))).toBe(true)
  })
})
