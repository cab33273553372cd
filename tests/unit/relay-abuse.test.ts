/**
 * A real relay fed bad input on every layer at once: raw TCP garbage, HTTP
 * upgrades that never finish, WebSockets that never speak Noise, a flood of
 * connects, and libp2p streams that stall or declare oversized messages.
 * Through it all the relay must keep serving: /healthz answers, a
 * well-behaved client reserves and is reached through it, and memory stays
 * bounded. Any uncaught error in the relay fails the run (vitest reports it).
 */
import type { Socket } from 'node:net'
import type { Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { DHT_PROTOCOL, MAX_DHT_MESSAGE_BYTES, MAX_WS_MESSAGE_BYTES } from '../../relay/constants.ts'
import { circuitAddrs, reserveOn, scrape, startTestRelay, TrackedClients, waitFor } from '../relay-clients.ts'
import type { TestRelay } from '../relay-clients.ts'
import { rawSocket, rawUpgrade, varint } from '../relay-raw.ts'

const HOP = '/libp2p/circuit/relay/0.2.0/hop'
const ECHO = '/peerlink-test/echo/1.0.0'
const MIB = 1024 * 1024
/** A robustness bound, far above what the relay should need: it catches a leak, not a regression of a few MiB. */
const MAX_GROWTH_BYTES = 100 * MIB

/** Sizes of each kind of abuse: enough to show a pattern, bounded so the run stays short on 2 cores. */
const GARBAGE_SOCKETS = 40
const TRICKLED_UPGRADES = 20
const SILENT_WEBSOCKETS = 20
const GARBAGE_WEBSOCKETS = 20
const FLOOD_CONNECTS = 300
const ABUSIVE_PEERS = 4
const STREAMS_PER_PEER = 16
/** How long the trickled and silent connections are held while the rest goes on. */
const HOLD_MS = 3000

let server: TestRelay
const sockets: Socket[] = []
const websockets: WebSocket[] = []
const clients = new TrackedClients()
const timers: NodeJS.Timeout[] = []

/** Deterministic bytes (xorshift32), so a failing run can be repeated as it was. */
function garbage (length: number, seed: number): Buffer {
  let x = seed | 1
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

async function healthy (): Promise<boolean> {
  const res = await fetch(`${server.relay.url}/healthz`)
  return res.status === 200 && (await res.json() as { ok: boolean }).ok
}

beforeAll(async () => {
  // all the abuse comes from 127.0.0.1, like the good client: the per-IP limits would
  // simply refuse most of it (relay-limits.test.ts proves that), so it is opened up here
  server = await startTestRelay({ maxConnectionsPerIp: 10_000, maxUpgradingPerIp: 10_000, maxHttpConnectionsPerIp: 10_000 })
}, 30_000)

afterAll(async () => {
  for (const timer of timers) clearInterval(timer)
  for (const socket of sockets) socket.destroy()
  for (const ws of websockets) ws.terminate()
  await clients.stopAll()
  await server?.cleanup()
}, 30_000)

describe('relay under bad input', () => {
  it('should keep serving through garbage on every layer, and its memory should stay bounded', async () => {
    const port = server.relay.port
    const wsUrl = `ws://127.0.0.1:${port}/`
    const before = process.memoryUsage().rss

    // raw TCP garbage, half of it left open
    for (let i = 0; i < GARBAGE_SOCKETS; i++) {
      const socket = await rawSocket(port, garbage(512 + i * 37, i + 1))
      if (i % 2 === 0) socket.end()
      else sockets.push(socket)
    }

    // upgrades whose headers arrive a byte at a time and never finish
    const head = 'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nX-Slow: '
    for (let i = 0; i < TRICKLED_UPGRADES; i++) {
      const socket = await rawSocket(port)
      sockets.push(socket)
      let at = 0
      timers.push(setInterval(() => {
        if (!socket.destroyed) socket.write(head[at++ % head.length])
      }, 50))
    }

    // WebSockets that open and never speak Noise, and ones that send garbage: as frames, and as raw bytes after the 101
    const opened = (ws: WebSocket): Promise<void> => new Promise(resolve => {
      ws.on('open', () => { resolve() })
      ws.on('error', () => { resolve() })
      ws.on('close', () => { resolve() })
    })
    for (let i = 0; i < SILENT_WEBSOCKETS; i++) {
      const ws = new WebSocket(wsUrl)
      websockets.push(ws)
      await opened(ws)
      expect(ws.readyState).toBe(WebSocket.OPEN)
    }
    for (let i = 0; i < GARBAGE_WEBSOCKETS; i++) {
      const ws = new WebSocket(wsUrl)
      websockets.push(ws)
      await opened(ws)
      if (ws.readyState === WebSocket.OPEN) ws.send(garbage(64 + i * 101, 1000 + i))
      const upgraded = await rawUpgrade(port)
      sockets.push(upgraded.socket)
      // the garbage must reach libp2p's WebSocket listener, not stop at the proxy
      expect(upgraded.status).toBe(101)
      // unmasked, reserved opcodes, absurd lengths: a browser never sends these
      upgraded.socket.write(garbage(256, 2000 + i))
    }

    // a flood of connects that go away at once, some mid-upgrade
    await Promise.all(Array.from({ length: FLOOD_CONNECTS }, async (_, i) => {
      const socket = await rawSocket(port, i % 3 === 0 ? 'GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' : undefined)
      if (i % 2 === 0) socket.resetAndDestroy()
      else socket.destroy()
    }))

    // libp2p peers opening hop and DHT streams that stall, stop mid-prefix or declare oversized messages
    const abusers = await Promise.all(Array.from({ length: ABUSIVE_PEERS }, async () => await clients.client()))
    const addr = multiaddr(server.relay.multiaddrs[0])
    const streams: Stream[] = []
    await Promise.all(abusers.map(async node => {
      for (let i = 0; i < STREAMS_PER_PEER; i++) {
        const stream = await node.dialProtocol(addr, i % 2 === 0 ? HOP : DHT_PROTOCOL).catch(() => undefined)
        if (stream == null) continue
        streams.push(stream)
        if (i % 4 === 0) continue // opened, never a byte
        if (i % 4 === 1) stream.send(Uint8Array.from([0xff, 0xff])) // a length prefix that never ends
        if (i % 4 === 2) stream.send(varint(MAX_DHT_MESSAGE_BYTES * 64)) // far too large
        if (i % 4 === 3) stream.send(Uint8Array.from([0x20, 0x08])) // a small message that never completes
      }
    }))

    // while all of that is open: the relay answers, and a good client reserves and is reached through it
    expect(await healthy()).toBe(true)
    const listener = await clients.client()
    await reserveOn(listener, server.relay)
    await listener.handle(ECHO, async (stream) => {
      for await (const chunk of stream) stream.send(chunk)
      await stream.close()
    }, { runOnLimitedConnection: true })
    const dialer = await clients.client()
    const echo = await dialer.dialProtocol(multiaddr(circuitAddrs(listener, server.relay)[0]), ECHO, { runOnLimitedConnection: true })
    echo.send(Uint8Array.from([1, 2, 3]))
    for await (const chunk of echo) {
      expect([...chunk.subarray()]).toEqual([1, 2, 3])
      break
    }

    await new Promise(resolve => setTimeout(resolve, HOLD_MS))
    expect(await healthy()).toBe(true)
    expect(server.relay.node.status).toBe('started')
    // the oversized declarations were cut off by the size caps, not left to time out
    expect((await scrape(server.relay)).get('peerlink_relay_limit_refusals_total{limit="message_size"}')).toBeGreaterThanOrEqual(1)

    const held = process.memoryUsage().rss
    console.log(`[figure] relay abuse: process RSS ${(before / MIB).toFixed(1)} MiB before, ${(held / MIB).toFixed(1)} MiB with all the abuse open (growth ${((held - before) / MIB).toFixed(1)} MiB; relay and clients share the process)`)
    expect(held - before).toBeLessThan(MAX_GROWTH_BYTES)

    // once the abusers go, the relay lets go of what they held
    for (const timer of timers) clearInterval(timer)
    for (const socket of sockets) socket.destroy()
    for (const ws of websockets) ws.terminate()
    await Promise.allSettled(abusers.map(async node => { await node.stop() }))
    await waitFor(() => server.relay.node.getConnections().length <= 2, 'the abusers\' connections to close')
    expect(await healthy()).toBe(true)
    const after = await scrape(server.relay)
    console.log(`[figure] relay abuse: after the abusers left, ${after.get('peerlink_relay_connections{direction="inbound"}')} inbound connections, ${after.get('peerlink_relay_reservations')} reservations, process RSS ${(process.memoryUsage().rss / MIB).toFixed(1)} MiB`)
  }, 60_000)

  it('should refuse a WebSocket frame that declares more than it takes as the header arrives, not buffer it', async () => {
    const { status, socket } = await rawUpgrade(server.relay.port)
    sockets.push(socket)
    expect(status).toBe(101)
    const received: Buffer[] = []
    socket.removeAllListeners('data')
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => { received.push(Buffer.from(chunk, 'latin1')) })
    // a final binary frame, masked with a zero key, its length in 64 bits: 96 MiB
    const header = Buffer.alloc(14)
    header[0] = 0x82
    header[1] = 0x80 | 127
    header.writeBigUInt64BE(BigInt(96 * MIB), 2)
    socket.write(header)
    socket.write(Buffer.alloc(MAX_WS_MESSAGE_BYTES))
    // a close frame (opcode 8) with status 1009, "message too big"
    await expect.poll(() => Buffer.concat(received).indexOf(0x88), { timeout: 5_000 }).toBeGreaterThanOrEqual(0)
    const bytes = Buffer.concat(received)
    expect(bytes.readUInt16BE(bytes.indexOf(0x88) + 2)).toBe(1009)
    expect(await healthy()).toBe(true)
  })
})
