import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../relay/logger.ts'
import { circuitAddrs, reserveOn, scrape, startTestRelay, TrackedClients, waitFor } from '../relay-clients.ts'
import type { TestRelay } from '../relay-clients.ts'

const ECHO = '/peerlink-test/echo/1.0.0'
let one: TestRelay
let two: TestRelay
const clients = new TrackedClients()
const lines: string[] = []

beforeAll(async () => {
  one = await startTestRelay({ maxReservations: 1 }, { log: createLogger({ format: 'json', write: line => { lines.push(line) } }) })
  // a second relay in the same process: its numbers must not leak into the first's
  two = await startTestRelay()
}, 30_000)

afterEach(async () => {
  await clients.stopAll()
})

afterAll(async () => {
  await one?.cleanup()
  await two?.cleanup()
})

describe('relay /metrics', { timeout: 30_000 }, () => {
  it('should serve the Prometheus text format with process and libp2p metrics', async () => {
    const samples = await scrape(one.relay)
    expect(samples.get('peerlink_relay_reservations')).toBe(0)
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(0)
    expect([...samples.keys()].some(name => name.startsWith('libp2p_connection_manager_connections'))).toBe(true)
  })

  it('should count a reservation granted, a reservation refused when full, and connections by direction', async () => {
    const first = await clients.client()
    await reserveOn(first, one.relay)
    let samples = await scrape(one.relay)
    expect(samples.get('peerlink_relay_reservations')).toBe(1)
    expect(samples.get('peerlink_relay_reservations_granted_total')).toBeGreaterThanOrEqual(1)
    expect(samples.get('peerlink_relay_connections{direction="inbound"}')).toBeGreaterThanOrEqual(1)

    // maxReservations is 1: the second client is refused
    const second = await clients.client()
    await second.dial(multiaddr(one.relay.multiaddrs[0]))
    await waitFor(async () => ((await scrape(one.relay)).get('peerlink_relay_reservations_refused_total{reason="reservation_refused"}') ?? 0) >= 1, 'a counted refusal')
    samples = await scrape(one.relay)
    expect(samples.get('peerlink_relay_reservations')).toBe(1)
    // and says so in its log
    const events = lines.map(line => JSON.parse(line) as Record<string, unknown>)
    expect(events).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'reservation refused', status: 'reservation_refused', peer: second.peerId.toString() }))
    expect(events).toContainEqual(expect.objectContaining({ level: 'info', msg: 'relay started', peerId: one.relay.peerId }))
    // the other relay saw none of it, in our metrics or in libp2p's own
    const other = await scrape(two.relay)
    expect(other.get('peerlink_relay_reservations_granted_total')).toBe(0)
    expect(samples.get('libp2p_circuit_relay_server_reservations_total')).toBe(1)
    expect(other.get('libp2p_circuit_relay_server_reservations_total')).toBe(0)
  })

  it('should count relayed connections and the bytes they carry', async () => {
    const listener = await clients.client()
    await reserveOn(listener, two.relay)
    await listener.handle(ECHO, async (stream) => {
      for await (const chunk of stream) stream.send(chunk)
      await stream.close()
    }, { runOnLimitedConnection: true })
    const dialer = await clients.client()
    const stream = await dialer.dialProtocol(multiaddr(circuitAddrs(listener, two.relay)[0]), ECHO, { runOnLimitedConnection: true })
    const payload = new Uint8Array(10_000).fill(7)
    stream.send(payload)
    let echoed = 0
    for await (const chunk of stream) {
      echoed += chunk.byteLength
      if (echoed >= payload.byteLength) break
    }
    const samples = await scrape(two.relay)
    expect(samples.get('peerlink_relay_relayed_connections_opened_total')).toBe(1)
    expect(samples.get('peerlink_relay_relayed_connections')).toBe(1)
    // libp2p counts bytes per protocol; a circuit's bytes pass through its hop and stop streams
    const stopSent = samples.get('libp2p_data_transfer_bytes_total{protocol="/libp2p/circuit/relay/0.2.0/stop sent"}') ?? 0
    expect(stopSent).toBeGreaterThanOrEqual(payload.byteLength)
    expect(samples.get('peerlink_relay_dht_stored{kind="record"}')).toBe(0)
    // the relay's own record and one per client it has seen
    expect(samples.get('peerlink_relay_peer_records')).toBeGreaterThanOrEqual(3)
  })
})
