import { connect, createServer, type Server, type Socket } from 'node:net'
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SHUTDOWN_TIMEOUT_MS } from '../../relay/constants.ts'
import type { RunningRelay } from '../../relay/relay.ts'
import { circuitAddrs, createClient, startTestRelay, waitFor, type TestRelay } from '../relay-clients.ts'

/** longer than SHUTDOWN_TIMEOUT_MS, so a stop that hangs fails with our message, not the runner's */
const TEST_TIMEOUT_MS = SHUTDOWN_TIMEOUT_MS + 10_000

let testRelay: TestRelay
let relay: RunningRelay
const cleanups: Array<() => Promise<void> | void> = []

beforeEach(async () => {
  testRelay = await startTestRelay()
  relay = testRelay.relay
})

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => {})
  await testRelay.cleanup()
})

/** The relay's stop, failing if it would still be running when main.ts gives up and exits with an error. */
async function stopsInTime (): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(`the relay was still stopping after ${SHUTDOWN_TIMEOUT_MS} ms`)) }, SHUTDOWN_TIMEOUT_MS)
  })
  try {
    await Promise.race([relay.stop(), late])
  } finally {
    clearTimeout(timer)
  }
}

/** A TCP hop to the relay that can stop carrying bytes, as a network that drops a phone does. */
async function freezableHop (): Promise<{ port: number, freeze: () => void }> {
  const sockets: Socket[] = []
  const server: Server = createServer(client => {
    const upstream = connect(relay.port, '127.0.0.1')
    client.pipe(upstream)
    upstream.pipe(client)
    for (const s of [client, upstream]) {
      s.on('error', () => {})
      sockets.push(s)
    }
  })
  await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
  cleanups.push(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  return {
    port: (server.address() as { port: number }).port,
    freeze: () => {
      for (const s of sockets) {
        s.unpipe()
        s.pause()
      }
    }
  }
}

/** A client holding a reservation, reached through `relayAddr` (the relay's own address, or a hop to it). */
async function reservedClient (relayAddr: string): Promise<Libp2p> {
  const client = await createClient()
  cleanups.push(async () => { await client.stop() })
  await client.dial(multiaddr(relayAddr))
  await waitFor(() => circuitAddrs(client, relay).length > 0, 'a reservation', 10_000)
  return client
}

describe('stopping the relay', () => {
  it('should not wait for a client that went silent after taking a reservation', async () => {
    const hop = await freezableHop()
    await reservedClient(relay.multiaddrs[0].replace(`/tcp/${relay.port}/`, `/tcp/${hop.port}/`))
    expect((await (await fetch(`${relay.url}/healthz`)).json()).reservations).toBe(1)
    hop.freeze()
    await stopsInTime()
  }, TEST_TIMEOUT_MS)

  it('should not wait for a WebSocket that never spoke libp2p', async () => {
    const socket = connect(relay.port, '127.0.0.1')
    socket.on('error', () => {})
    cleanups.push(() => { socket.destroy() })
    const answered = new Promise<string>(resolve => { socket.once('data', chunk => { resolve(chunk.toString('latin1')) }) })
    socket.write('GET / HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')
    expect(await answered).toMatch(/^HTTP\/1\.1 101/)
    await stopsInTime()
  }, TEST_TIMEOUT_MS)

  it('should end the connection of a client that still answers', async () => {
    const client = await reservedClient(relay.multiaddrs[0])
    const closed = new Promise<void>(resolve => {
      client.addEventListener('connection:close', () => { resolve() }, { once: true })
    })
    await stopsInTime()
    await closed
    expect(client.getConnections()).toHaveLength(0)
  }, TEST_TIMEOUT_MS)
})
