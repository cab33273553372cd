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

/** Addresses of ours that go through `relay` (a peer ID). */
function through (node: Libp2p, relay: string): string[] {
  return node.getMultiaddrs().map(String).filter(ma => ma.includes(`${relay}/p2p-circuit`))
}

describe('a peer that is not one of our relays', () => {
  const cleanup: Array<() => Promise<unknown>> = []
  afterEach(async () => { for (const done of cleanup.splice(0).reverse()) await done() })

  async function relayProcess (): Promise<Awaited<ReturnType<typeof startRelay>>> {
    const dir = await mkdtemp(join(tmpdir(), 'peerlink-guard-'))
    cleanup.push(async () => { await rm(dir, { recursive: true, force: true }) })
    const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), staticDir: dir })
    cleanup.push(relay.stop)
    return relay
  }

  /**
   * A browser's node. The gater lets it dial (plain ws, loopback) only the
   * host and port of a relay it was given: the stranger's is given under
   * another peer ID, as the public address a link's relay hint names would
   * pass it anyway.
   */
  async function browser (own: string, fallbacks: string[], stranger: Libp2p): Promise<Libp2p> {
    const elsewhere = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const node = await createPeerlinkNode({
      privateKey: await generateKeyPair('Ed25519'),
      relays: [multiaddr(own), multiaddr(stranger.getMultiaddrs()[0].toString().replace(stranger.peerId.toString(), elsewhere))],
      otherRelays: fallbacks.map(addr => multiaddr(addr)),
      iceServers: async () => []
    })
    await node.start()
    cleanup.push(async () => { await node.stop() })
    return node
  }

  it('should not get our reservation when we dial it holding none, where a fallback relay does', async () => {
    const relay = await relayProcess()
    const fallback = await relayProcess()
    await relay.stop()
    const stranger = await strangerRelay()
    cleanup.push(async () => { await stranger.stop() })
    const node = await browser(relay.multiaddrs[0], [fallback.multiaddrs[0]], stranger)
    // a page just loaded from a link with a relay hint, our relay down: we dial the hint
    await node.dial(stranger.getMultiaddrs()[0])
    await until(() => stranger.getConnections(node.peerId)[0])
    await new Promise(resolve => setTimeout(resolve, 2_000))
    expect(through(node, stranger.peerId.toString())).toEqual([])
    // the relay keeper's failover still gets one on another relay of the DHT
    await node.dial(multiaddr(fallback.multiaddrs[0]))
    await until(() => through(node, fallback.peerId).length > 0)
  }, 30_000)

  it('should not make us take a reservation there with a STOP request, and advertise its addresses as ours', async () => {
    const relay = await relayProcess()
    const stranger = await strangerRelay()
    cleanup.push(async () => { await stranger.stop() })
    const at = stranger.getMultiaddrs()[0]
    const node = await browser(relay.multiaddrs[0], [], stranger)
    // our reservation, on our relay
    await node.dial(multiaddr(relay.multiaddrs[0]))
    await until(() => node.getMultiaddrs().some(ma => ma.toString().includes(`${relay.peerId}/p2p-circuit`)))
    // we dial the stranger, as a link whose relay hint names it has us do, and it sends a STOP
    await node.dial(at)
    const back = await until(() => stranger.getConnections(node.peerId)[0])
    await back.newStream(STOP_PROTOCOL, { signal: AbortSignal.timeout(5_000) }).catch(() => {})
    await new Promise(resolve => setTimeout(resolve, 2_000))
    expect(through(node, stranger.peerId.toString())).toEqual([])
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
