/**
 * The other relays a public relay lists in /relay.json: the addresses
 * browsers may then dial even where they refuse others. Only what a browser
 * out there should dial gets in, and clients claiming to be relays cannot
 * push the real ones out.
 */
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { afterAll, describe, expect, it } from 'vitest'
import { DHT_PROTOCOL } from '../../relay/constants.ts'
import { parseRelayInfo } from '../../src/lib/shared/relay-info.ts'
import { startTestRelay, waitFor, type TestRelay } from '../relay-clients.ts'

/** More clients posing as relays, with four addresses each, than the list has room for */
const POSERS = 9

const started: TestRelay[] = []
const nodes: Libp2p[] = []
afterAll(async () => {
  await Promise.all(nodes.map(async n => { await n.stop() }))
  for (const t of started) await t.cleanup()
}, 30_000)

async function publicRelay (name: string, bootstrap: string[] = []): Promise<TestRelay> {
  const t = await startTestRelay({ announce: [`/dns4/${name}.example.org/tcp/443/tls/ws`], bootstrap })
  started.push(t)
  return t
}

/** Any client: it only says it serves the DHT protocol, and announces what it likes. */
async function poser (announce: string[]): Promise<Libp2p> {
  const node = await createLibp2p({
    addresses: { announce },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
  await node.handle(DHT_PROTOCOL, stream => { stream.abort(new Error('not a relay')) })
  nodes.push(node)
  return node
}

async function listed (t: TestRelay): Promise<string[]> {
  return parseRelayInfo(await (await fetch(`${t.relay.url}/relay.json`)).json()).relays
}

/** Connects the client and waits until the relay has identified it. */
async function connect (t: TestRelay, node: Libp2p): Promise<void> {
  await node.dial(multiaddr(t.relay.multiaddrs.find(a => a.includes('/ip4/127.0.0.1/')) ?? `/ip4/127.0.0.1/tcp/${t.relay.port}/ws/p2p/${t.relay.peerId}`))
  await waitFor(async () => (await t.relay.node.peerStore.get(node.peerId).catch(() => undefined))?.protocols.includes(DHT_PROTOCOL) === true, 'the relay to identify the client')
}

describe('relay federation: what a public relay lists', { timeout: 60_000 }, () => {
  it('should not list a private bootstrap address, nor a loopback name or plain ws a client announces', async () => {
    const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    // the README's several relays behind a proxy: public announce, bootstrap over loopback or a LAN
    const one = await publicRelay('one', [`/ip4/127.0.0.1/tcp/9/ws/p2p/${other}`, `/ip4/10.0.0.2/tcp/9090/ws/p2p/${other}`])
    await connect(one, await poser(['/dns4/router.localhost/tcp/443/tls/ws', '/dns4/localhost./tcp/443/tls/ws', '/dns4/plain.example.org/tcp/80/ws']))
    expect(await listed(one)).toEqual([])
  })

  it('should keep listing a real relay when clients posing as relays fill the list', async () => {
    const one = await publicRelay('one')
    const two = await publicRelay('two', [`/ip4/127.0.0.1/tcp/${one.relay.port}/ws/p2p/${one.relay.peerId}`])
    await waitFor(async () => (await listed(one)).some(a => a.endsWith(two.relay.peerId)), 'relay one to list relay two')
    for (let i = 0; i < POSERS; i++) {
      await connect(one, await poser([0, 1, 2, 3].map(j => `/dns4/fake${i}-${j}.attacker.example/tcp/443/tls/ws`)))
    }
    const list = await listed(one)
    expect(list.some(a => a.includes('attacker.example'))).toBe(true)
    expect(list.filter(a => a.endsWith(two.relay.peerId))).toEqual([`/dns4/two.example.org/tcp/443/tls/ws/p2p/${two.relay.peerId}`])
  })
})
