/**
 * Which peers the browser's DHT client takes as DHT servers to ask and to
 * store its location with: relays, not another browser that says it is one.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { afterAll, describe, expect, it } from 'vitest'
import { DHT_PROTOCOL } from '../../src/lib/p2p/constants.ts'
import { locationKey } from '../../src/lib/shared/location-record.ts'
import { createDhtClient } from '../relay-clients.ts'

/** Ample for a lookup to reach a server it knows on loopback (milliseconds there). */
const LOOKUP_MS = 3000
/** A relay Mallory says she is reachable through (nothing listens there: it is only what she announces). */
const SOME_RELAY = '/ip4/127.0.0.1/tcp/9/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'

const nodes: Libp2p[] = []
afterAll(async () => { await Promise.all(nodes.map(async n => { await n.stop() })) })

describe('the browser DHT client', { timeout: 30_000 }, () => {
  it('should not take a peer reachable only through a relay as a DHT server', async () => {
    // a friend's tab, directly connected (a WebRTC connection, here a WebSocket), running the DHT as a server
    // and announcing, as a browser does, only addresses through a relay
    const key = await generateKeyPair('Ed25519')
    const mallory = await createLibp2p({
      privateKey: key,
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'], announce: [`${SOME_RELAY}/p2p-circuit/webrtc/p2p/${peerIdFromPrivateKey(key).toString()}`] },
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), ping: ping(), dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper }) }
    })
    nodes.push(mallory)
    const bob = await createDhtClient()
    nodes.push(bob)
    // where she really listens (she announces only the circuit address)
    const listening = (mallory as unknown as { components: { transportManager: { getAddrs: () => Multiaddr[] } } }).components.transportManager.getAddrs()
    await bob.dial(listening[0].encapsulate(`/p2p/${mallory.peerId.toString()}`))
    // a lookup: with Mallory taken as a server, it asks her (she is the only one it knows)
    const asked: string[] = []
    try {
      for await (const event of bob.services.dht.get(locationKey(bob.peerId), { signal: AbortSignal.timeout(LOOKUP_MS) })) {
        if (event.name === 'SEND_QUERY') asked.push(event.to.toString())
      }
    } catch {
      // no server to ask: the lookup waits for one until it times out
    }
    expect(asked).not.toContain(mallory.peerId.toString())
  })
})
