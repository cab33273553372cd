import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { scrape, startTestRelay, waitFor } from '../relay-clients.ts'
import type { TestRelay } from '../relay-clients.ts'
import { rawUpgrade } from '../relay-raw.ts'

/** Small, so the test holds few sockets; the relay's default is DEFAULT_MAX_HTTP_CONNECTIONS_PER_IP. */
const MAX = 3
/** A request whose headers have not finished: the connection is busy, not idle. */
const UNFINISHED = 'GET /relay.json HTTP/1.1\r\nHost: relay\r\n'
const KEEP_ALIVE_GET = 'GET /relay.json HTTP/1.1\r\nHost: relay\r\n\r\n'
const CLOSING_GET = 'GET /relay.json HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n'

interface Held {
  socket: Socket
  /** everything the relay sent so far */
  text: () => string
  closed: Promise<void>
}

let limited: TestRelay
let proxied: TestRelay
const sockets: Socket[] = []

/** Connects, writes `payload` and keeps the socket; errors (a refusal's reset) only end it. */
async function open (port: number, payload: string): Promise<Held> {
  return await new Promise(resolve => {
    let text = ''
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(payload)
      resolve({ socket, text: () => text, closed })
    })
    const closed = new Promise<void>(done => socket.once('close', () => { done() }))
    sockets.push(socket)
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => { text += chunk })
    socket.on('error', () => {})
  })
}

/** One request on a fresh connection: the relay's whole answer, '' when it closed the connection unanswered. */
async function get (port: number): Promise<string> {
  const held = await open(port, CLOSING_GET)
  await held.closed
  return held.text()
}

async function refusals (relay: TestRelay): Promise<number> {
  return (await scrape(relay.relay)).get('peerlink_relay_limit_refusals_total{limit="http_per_ip"}') ?? 0
}

beforeAll(async () => {
  limited = await startTestRelay({ maxHttpConnectionsPerIp: MAX })
  proxied = await startTestRelay({ maxHttpConnectionsPerIp: 1, trustProxy: true })
}, 30_000)

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  // the relay counts a socket free once its close has been seen
  await waitFor(async () => (await get(limited.relay.port)).startsWith('HTTP/1.1 200'), 'a free slot')
})

afterAll(async () => {
  await limited?.cleanup()
  await proxied?.cleanup()
})

describe('per-IP cap on HTTP connections', { timeout: 30_000 }, () => {
  it('should close a connection past the cap unanswered, and take one again once a slot is free', async () => {
    const port = limited.relay.port
    const before = await refusals(limited)
    const busy = await Promise.all(Array.from({ length: MAX }, async () => await open(port, UNFINISHED)))
    expect(await get(port)).toBe('')
    busy[1].socket.destroy()
    await waitFor(async () => (await get(port)).startsWith('HTTP/1.1 200'), 'a slot freed by a close')
    expect(await refusals(limited)).toBeGreaterThan(before)
    // the held ones were left alone: one still gets its answer
    busy[0].socket.write('\r\n')
    await waitFor(() => busy[0].text().startsWith('HTTP/1.1 200'), 'the held request answered')
  })

  it('should make room by closing a keep-alive connection that waits between requests', async () => {
    const port = limited.relay.port
    const waiting = await Promise.all(Array.from({ length: MAX }, async () => await open(port, KEEP_ALIVE_GET)))
    for (const held of waiting) await waitFor(() => held.text().startsWith('HTTP/1.1 200'), 'a keep-alive answer')
    expect(await get(port)).toMatch(/^HTTP\/1\.1 200 /)
  })

  it('should not count upgraded WebSockets, which the upgrade proxy and libp2p count', async () => {
    const port = limited.relay.port
    for (let i = 0; i < 2 * MAX; i++) {
      const { status, socket } = await rawUpgrade(port)
      sockets.push(socket)
      expect(status).toBe(101)
    }
    expect(await get(port)).toMatch(/^HTTP\/1\.1 200 /)
  })

  it('should not cap behind a reverse proxy, where every connection comes from the proxy', async () => {
    const port = proxied.relay.port
    await Promise.all(Array.from({ length: 3 }, async () => await open(port, UNFINISHED)))
    expect(await get(port)).toMatch(/^HTTP\/1\.1 200 /)
  })
})
