import { mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { HTTP_IDLE_TIMEOUT_MS } from '../../relay/http-constants.ts'
import { createUpgradeProxy } from '../../relay/upgrade-proxy.ts'
import { listenPublicServer } from '../public-server.ts'

/** Far more than loopback's socket buffers take, so the relay is left waiting to write. */
const BIG_FILE_BYTES = 64 * 1024 * 1024
/** The relay's idle timeout in this test: HTTP_IDLE_TIMEOUT_MS would make it a minute long. */
const IDLE_MS = 1_000
/** Filling the socket buffers takes a few seconds on a busy machine, and Node may wait twice the idle time. */
const MARGIN_MS = 10_000

let dir: string
let server: Server
let port: number
let close: () => Promise<void>
/** stands in for libp2p's WebSocket listener, which takes the upgrades the same way */
const wss = new WebSocketServer({ noServer: true })

async function openConnections (): Promise<number> {
  return await new Promise((resolve, reject) => { server.getConnections((err, n) => { err != null ? reject(err) : resolve(n) }) })
}

/** Files of the test's static dir this process holds open (Linux's /proc). */
async function openStaticFiles (): Promise<number> {
  let open = 0
  for (const fd of await readdir('/proc/self/fd')) {
    if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')).startsWith(dir)) open++
  }
  return open
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerlink-slow-read-'))
  await writeFile(join(dir, 'index.html'), '<!doctype html>')
  await writeFile(join(dir, 'big.js'), Buffer.alloc(BIG_FILE_BYTES, 0x20))
  const proxy = createUpgradeProxy({ maxConnectionsPerIp: 8, trustProxy: false })
  proxy.setTarget((req, socket, head) => { wss.handleUpgrade(req, socket, head, () => {}) })
  ;({ server, port, close } = await listenPublicServer({ staticDir: dir, proxy, idleTimeoutMs: IDLE_MS }))
})

afterAll(async () => {
  for (const client of wss.clients) client.terminate()
  wss.close()
  await close()
  await rm(dir, { recursive: true, force: true })
})

describe('relay HTTP against slow readers', () => {
  it('should let go of a client that asks for a file and never reads it, and of the file', async () => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write('GET /big.js HTTP/1.1\r\nHost: relay\r\n\r\n')
    })
    socket.on('error', () => {})
    // read nothing, ever
    socket.pause()
    try {
      await expect.poll(openStaticFiles, { timeout: MARGIN_MS }).toBe(1)
      await expect.poll(openConnections, { timeout: 2 * IDLE_MS + MARGIN_MS, interval: 200 }).toBe(0)
      expect(await openStaticFiles()).toBe(0)
    } finally {
      socket.destroy()
    }
  }, 2 * IDLE_MS + 3 * MARGIN_MS)

  it('should leave a quiet WebSocket open: libp2p pings it and times it out itself', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`)
    ws.on('error', () => {})
    await new Promise(resolve => ws.once('open', resolve))
    await new Promise(resolve => setTimeout(resolve, 3 * IDLE_MS))
    expect(ws.readyState).toBe(WebSocket.OPEN)
    ws.terminate()
  })

  it('should time idle sockets out by default', async () => {
    expect(server.timeout).toBe(IDLE_MS)
    const plain = await listenPublicServer({ staticDir: dir })
    try {
      expect(plain.server.timeout).toBe(HTTP_IDLE_TIMEOUT_MS)
    } finally {
      await plain.close()
    }
  })
})
