import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { startRelay } from '../../relay/relay.ts'
import { createPeerlinkNode } from '../../src/lib/p2p/node.ts'

const STOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/stop'

/** A libp2p node that grants reservations to whoever asks, as any stranger's node can. */
async function strangerRelay (): Promise<Libp2p> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), relay: circuitRelayServer() }
  })
}

/** Polls until `get` finds something: the other side learns of a connection a moment later. */
async function until<T> (get: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 250; i++) {
    const found = get()
    if (found != null && found !== false) return found
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  throw new Error('not found in time')
}

describe('a STOP request from a peer that is not one of our relays', () => {
  const cleanup: Array<() => Promise<unknown>> = []
  afterEach(async () => { for (const done of cleanup.splice(0).reverse()) await done() })

  it('should not make us take a reservation there and advertise its addresses as ours', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerlink-stop-'))
    cleanup.push(async () => { await rm(dir, { recursive: true, force: true }) })
    const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), staticDir: dir })
    cleanup.push(relay.stop)
    const stranger = await strangerRelay()
    cleanup.push(async () => { await stranger.stop() })
    const at = stranger.getMultiaddrs()[0]
    // the gater lets the browser dial (plain ws, loopback) only the host and
    // port of a relay it was given: here the stranger's, under another peer ID,
    // as the public address a link's relay hint names would pass it anyway
    const elsewhere = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const node = await createPeerlinkNode({
      privateKey: await generateKeyPair('Ed25519'),
      relays: [multiaddr(relay.multiaddrs[0]), multiaddr(at.toString().replace(stranger.peerId.toString(), elsewhere))],
      iceServers: async () => []
    })
    await node.start()
    cleanup.push(async () => { await node.stop() })
    // our reservation, on our relay
    await node.dial(multiaddr(relay.multiaddrs[0]))
    await until(() => node.getMultiaddrs().some(ma => ma.toString().includes(`${relay.peerId}/p2p-circuit`)))
    // we dial the stranger, as a link whose relay hint names it has us do, and it sends a STOP
    await node.dial(at)
    const back = await until(() => stranger.getConnections(node.peerId)[0])
    await back.newStream(STOP_PROTOCOL, { signal: AbortSignal.timeout(5_000) }).catch(() => {})
    await new Promise(resolve => setTimeout(resolve, 2_000))
    const through = node.getMultiaddrs().filter(ma => ma.toString().includes(`${stranger.peerId.toString()}/p2p-circuit`))
    expect(through.map(String)).toEqual([])
    // and our own relay still hands us a friend's relayed connection
    const friend = await createLibp2p({
      transports: [webSockets(), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() }
    })
    cleanup.push(async () => { await friend.stop() })
    const relayed = await friend.dial(multiaddr(`${relay.multiaddrs[0]}/p2p-circuit/p2p/${node.peerId.toString()}`), { signal: AbortSignal.timeout(10_000) })
    expect(relayed.remotePeer.equals(node.peerId)).toBe(true)
    expect(relayed.limits).not.toBeUndefined()
  }, 30_000)
})
