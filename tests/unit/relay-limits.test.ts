import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DHT_PROTOCOL, MAX_DHT_MESSAGE_BYTES, MAX_HOP_MESSAGE_BYTES } from '../../relay/constants.ts'
import { reserveOn, scrape, startTestRelay, TrackedClients, waitFor } from '../relay-clients.ts'
import type { TestRelay } from '../relay-clients.ts'
import { rawUpgrade, varint } from '../relay-raw.ts'
import type { RawUpgrade } from '../relay-raw.ts'

const HOP = '/libp2p/circuit/relay/0.2.0/hop'
/** HopMessage { type: RESERVE } */
const RESERVE = Uint8Array.from([0x08, 0x00])

let limited: TestRelay
let proxied: TestRelay
let peers: TestRelay
const open: RawUpgrade[] = []
const clients = new TrackedClients()

async function upgrade (relay: TestRelay, headers: Record<string, string> = {}): Promise<number> {
  const result = await rawUpgrade(relay.relay.port, headers)
  open.push(result)
  return result.status
}

async function refusals (relay: TestRelay, limit: string): Promise<number> {
  return (await scrape(relay.relay)).get(`peerlink_relay_limit_refusals_total{limit="${limit}"}`) ?? 0
}

function ended (stream: Stream): boolean {
  return stream.status !== 'open'
}

beforeAll(async () => {
  limited = await startTestRelay({ maxConnectionsPerIp: 2 })
  proxied = await startTestRelay({ maxConnectionsPerIp: 1, trustProxy: true })
  peers = await startTestRelay({ maxConnectionsPerPeer: 2 })
}, 30_000)

afterEach(async () => {
  for (const { socket } of open.splice(0)) socket.destroy()
  await clients.stopAll()
  // the relay counts a socket free once its close has been seen
  await new Promise(resolve => setTimeout(resolve, 100))
})

afterAll(async () => {
  await limited?.cleanup()
  await proxied?.cleanup()
  await peers?.cleanup()
})

describe('relay per-IP limit', { timeout: 30_000 }, () => {
  it('should answer 429 to the WebSocket past the limit of one IP, and admit it again once one closes', async () => {
    // X-Forwarded-For is ignored unless --trust-proxy is on
    expect(await upgrade(limited, { 'X-Forwarded-For': '198.51.100.1' })).toBe(101)
    expect(await upgrade(limited, { 'X-Forwarded-For': '198.51.100.2' })).toBe(101)
    expect(await upgrade(limited, { 'X-Forwarded-For': '198.51.100.3' })).toBe(429)
    expect(await refusals(limited, 'per_ip')).toBeGreaterThanOrEqual(1)
    open[0].socket.destroy()
    await waitFor(async () => (await rawUpgrade(limited.relay.port).then(r => { open.push(r); return r.status })) === 101, 'a free slot')
  })

  it('should count clients by the last X-Forwarded-For entry with --trust-proxy', async () => {
    expect(await upgrade(proxied, { 'X-Forwarded-For': '203.0.113.9, 198.51.100.1' })).toBe(101)
    expect(await upgrade(proxied, { 'X-Forwarded-For': '198.51.100.2' })).toBe(101)
    // a client cannot dodge the limit by writing its own first entry
    expect(await upgrade(proxied, { 'X-Forwarded-For': '192.0.2.77, 198.51.100.1' })).toBe(429)
  })
})

describe('relay per-peer limit', { timeout: 30_000 }, () => {
  it('should refuse a peer ID its connections past the limit and keep the ones it has', async () => {
    const node = await clients.client()
    const addr = multiaddr(peers.relay.multiaddrs[0])
    await node.dial(addr)
    await node.dial(addr, { force: true })
    // a burst (libp2p joins parallel dials to one address): whatever passes the early check while
    // others are still upgrading is closed once open
    await Promise.allSettled([1, 2, 3].map(async () => await node.dial(addr, { force: true })))
    await waitFor(() => node.getConnections().filter(c => c.status === 'open').length <= 2, 'the excess to be closed')
    expect(peers.relay.node.getConnections(node.peerId).length).toBeLessThanOrEqual(2)
    expect(await refusals(peers, 'per_peer')).toBeGreaterThanOrEqual(1)
    expect(node.getConnections().filter(c => c.status === 'open').length).toBeGreaterThanOrEqual(1)
  })
})

describe('relay message size caps', { timeout: 30_000 }, () => {
  it('should reset a hop stream that declares an oversized message, and serve the next one on the same connection', async () => {
    const node = await clients.client()
    const addr = multiaddr(peers.relay.multiaddrs[0])
    const bad = await node.dialProtocol(addr, HOP)
    // a length far past the cap, and a little of its body: without the cap the relay would wait for the rest
    bad.send(varint(MAX_HOP_MESSAGE_BYTES * 100))
    bad.send(new Uint8Array(64))
    await waitFor(() => ended(bad), 'the hop stream to be reset')
    expect(await refusals(peers, 'message_size')).toBeGreaterThanOrEqual(1)

    const connection = node.getConnections()[0]
    expect(connection.status).toBe('open')
    const good = lpStream(await node.dialProtocol(addr, HOP))
    await good.write(RESERVE)
    const answer = (await good.read()).subarray()
    // HopMessage { type: STATUS, ... }: the relay read and answered the small one
    expect([...answer.subarray(0, 2)]).toEqual([0x08, 0x02])
  })

  it('should reset a DHT stream that declares an oversized message, and answer DHT requests after it', async () => {
    const node = await clients.client()
    const addr = multiaddr(peers.relay.multiaddrs[0])
    const bad = await node.dialProtocol(addr, DHT_PROTOCOL)
    bad.send(varint(MAX_DHT_MESSAGE_BYTES + 1))
    bad.send(new Uint8Array(MAX_DHT_MESSAGE_BYTES / 2))
    await waitFor(() => ended(bad), 'the DHT stream to be reset')
    const before = await refusals(peers, 'message_size')
    expect(before).toBeGreaterThanOrEqual(1)

    // Message { type: FIND_NODE, key: our peer ID }
    const key = node.peerId.toMultihash().bytes
    const good = lpStream(await node.dialProtocol(addr, DHT_PROTOCOL))
    await good.write(Uint8Array.from([0x08, 0x04, 0x12, key.length, ...key]))
    const answer = (await good.read()).subarray()
    expect([...answer.subarray(0, 2)]).toEqual([0x08, 0x04])
    // a well-formed request near the cap is not refused
    expect(await refusals(peers, 'message_size')).toBe(before)
  })

  it('should still give a well-behaved client a reservation after all of it', async () => {
    const node = await clients.client()
    await reserveOn(node, peers.relay)
  })
})
