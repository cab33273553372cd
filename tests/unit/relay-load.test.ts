/**
 * A relay under the load of a few hundred browsers, all on loopback in this
 * one process: every client holds a reservation, pairs talk through the
 * relay, and the one past --max-reservations is told no at once. Memory is
 * printed, not asserted: the clients share the process, so it is an upper bound.
 */
import type { Libp2p } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { circuitAddrs, createClient, reserveOn, scrape, startTestRelay } from '../relay-clients.ts'
import type { TestRelay } from '../relay-clients.ts'
import { HOP_STATUS, hopStatus } from '../relay-raw.ts'

/** Reservations the relay allows, and the clients that take them all. */
const CLIENTS = 200
/**
 * Clients that reserve at once: well under the relay's inbound rate limit
 * (200/s from one host), and few enough that their Noise handshakes finish
 * while other test files share the 2 cores.
 */
const BATCH = 10
/** Not a speed test: a starved machine must slow the ramp down, not fail it. */
const DIAL_TIMEOUT_MS = 30_000
/** Client pairs that then talk through the relay at the same time. */
const PAIRS = 20
const PAYLOAD_BYTES = 4096
const ECHO = '/peerlink-test/echo/1.0.0'
const HOP = '/libp2p/circuit/relay/0.2.0/hop'
const MIB = 1024 * 1024

let server: TestRelay
const clients: Libp2p[] = []

function mib (bytes: number): string {
  return (bytes / MIB).toFixed(1)
}

async function sample (label: string): Promise<void> {
  const metrics = await scrape(server.relay)
  const { rss, heapUsed } = process.memoryUsage()
  console.log(`[figure] relay load, ${label}: ${metrics.get('peerlink_relay_reservations')} reservations, ${metrics.get('peerlink_relay_connections{direction="inbound"}')} inbound connections; process (relay and clients) RSS ${mib(rss)} MiB, heap ${mib(heapUsed)} MiB`)
}

beforeAll(async () => {
  // every client arrives from 127.0.0.1, so the per-IP limit is opened up here (a separate test proves it)
  server = await startTestRelay({ maxReservations: CLIENTS, maxConnectionsPerIp: 4 * CLIENTS, maxUpgradingPerIp: 4 * CLIENTS })
}, 30_000)

afterAll(async () => {
  await Promise.allSettled(clients.map(async c => { await c.stop() }))
  await server?.cleanup()
}, 60_000)

describe('relay under load', () => {
  it(`should hold ${CLIENTS} reservations, relay ${PAIRS} conversations at once and refuse the next client at once`, async () => {
    await sample('before')
    for (let start = 0; start < CLIENTS; start += BATCH) {
      const batch = await Promise.all(Array.from({ length: Math.min(BATCH, CLIENTS - start) }, async () => await createClient({ dialTimeoutMs: DIAL_TIMEOUT_MS })))
      clients.push(...batch)
      await Promise.all(batch.map(async c => { await reserveOn(c, server.relay, DIAL_TIMEOUT_MS) }))
      if ((start + BATCH) % 50 === 0) await sample(`after ${start + BATCH} clients`)
    }
    expect((await scrape(server.relay)).get('peerlink_relay_reservations')).toBe(CLIENTS)

    // pairs across the whole range, so early and late reservations are both used
    const echoed = await Promise.all(Array.from({ length: PAIRS }, async (_, i) => {
      const listener = clients[i]
      const dialer = clients[CLIENTS - 1 - i]
      await listener.handle(ECHO, async (stream) => {
        for await (const chunk of stream) stream.send(chunk)
        await stream.close()
      }, { runOnLimitedConnection: true })
      const stream = await dialer.dialProtocol(multiaddr(circuitAddrs(listener, server.relay)[0]), ECHO, { runOnLimitedConnection: true })
      const payload = new Uint8Array(PAYLOAD_BYTES).fill(i)
      stream.send(payload)
      const received: number[] = []
      for await (const chunk of stream) {
        received.push(...chunk.subarray())
        if (received.length >= PAYLOAD_BYTES) break
      }
      return received.length === PAYLOAD_BYTES && received.every(byte => byte === i)
    }))
    expect(echoed.filter(ok => ok)).toHaveLength(PAIRS)
    const during = await scrape(server.relay)
    expect(during.get('peerlink_relay_relayed_connections_opened_total')).toBeGreaterThanOrEqual(PAIRS)
    await sample(`${PAIRS} relayed conversations`)

    // one past the limit: the relay answers RESERVATION_REFUSED, it does not leave the client waiting
    const late = await createClient({ dialTimeoutMs: DIAL_TIMEOUT_MS })
    clients.push(late)
    const hop = lpStream(await late.dialProtocol(multiaddr(server.relay.multiaddrs[0]), HOP))
    await hop.write(Uint8Array.from([0x08, 0x00]))
    expect(hopStatus((await hop.read()).subarray())).toBe(HOP_STATUS.RESERVATION_REFUSED)
    const after = await scrape(server.relay)
    expect(after.get('peerlink_relay_reservations_refused_total{reason="reservation_refused"}')).toBeGreaterThanOrEqual(1)
    expect(after.get('peerlink_relay_reservations')).toBe(CLIENTS)
    await sample('end')
  }, 90_000)
})
