import type { Socket } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import { multiaddrToUri } from '@multiformats/multiaddr-to-uri'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { upgradeTargets } from '../../relay/addresses.ts'
import { createClient, startTestRelay } from '../relay-clients.ts'
import type { TestRelay } from '../relay-clients.ts'
import { rawUpgrade } from '../relay-raw.ts'

/** An address a reverse proxy serves the relay under a path of its own on. */
const PATH_ANNOUNCE = '/dns4/chat.example.org/tcp/443/tls/ws/http-path/peerlink%2Fws'

let server: TestRelay
const sockets: Socket[] = []

/** The request target a WebSocket client sends for this address, as @libp2p/websockets dials it. */
function dialedTarget (addr: string): string {
  const url = new URL(multiaddrToUri(multiaddr(addr)))
  return url.pathname + url.search
}

async function closed (socket: Socket): Promise<void> {
  if (socket.closed) return
  await new Promise(resolve => socket.once('close', resolve))
}

beforeAll(async () => {
  server = await startTestRelay({ announce: [PATH_ANNOUNCE] })
}, 30_000)

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy()
})

afterAll(async () => {
  await server?.cleanup()
})

describe('WebSocket upgrade paths', { timeout: 30_000 }, () => {
  it('should take upgrades on the targets clients dial the announced addresses on', async () => {
    const targets = upgradeTargets([PATH_ANNOUNCE, '/ip4/127.0.0.1/tcp/9090/ws'])
    expect(targets).toContain(dialedTarget('/ip4/127.0.0.1/tcp/9090/ws'))
    expect(targets).toContain(dialedTarget('/dns4/chat.example.org/tcp/443/tls/ws'))
    expect(targets).toContain(dialedTarget(PATH_ANNOUNCE))
    for (const target of targets) {
      const { status, socket } = await rawUpgrade(server.relay.port, {}, target)
      sockets.push(socket)
      expect(status).toBe(101)
    }
    // and a libp2p client dialing the relay's own address gets through
    const client = await createClient()
    try {
      await client.dial(multiaddr(`/ip4/127.0.0.1/tcp/${server.relay.port}/ws/p2p/${server.relay.peerId}`))
    } finally {
      await client.stop()
    }
  })

  it('should answer an upgrade on any other path with 404 and close the socket', async () => {
    for (const path of ['/relay.json', '/index.html', '/peerlink', '/?room=1', '//', '/metrics']) {
      const { status, socket } = await rawUpgrade(server.relay.port, {}, path)
      sockets.push(socket)
      expect(status, path).toBe(404)
      await closed(socket)
    }
  })

  it('should still answer a non-WebSocket upgrade on the right path with 400', async () => {
    const { status, socket } = await rawUpgrade(server.relay.port, { Upgrade: 'h2c' })
    sockets.push(socket)
    expect(status).toBe(400)
    await closed(socket)
  })
})
