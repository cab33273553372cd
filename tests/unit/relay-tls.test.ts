import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { get } from 'node:https'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { HSTS_MAX_AGE_S, HTTP_HEADERS_TIMEOUT_MS, TLS_HANDSHAKE_TIMEOUT_MS } from '../../relay/http-constants.ts'
import { createUpgradeProxy } from '../../relay/upgrade-proxy.ts'
import { listenPublicServer } from '../public-server.ts'

/** Past the handshake limit, and far short of Node's own 120 s. */
const MARGIN_MS = 3_000

let dir: string
let port: number
let close: () => Promise<void>

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerlink-tls-test-'))
  // a throwaway self-signed certificate (P-256: made in milliseconds)
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' })
  ;({ port, close } = await listenPublicServer({
    staticDir: dir,
    tls: { cert: await readFile(join(dir, 'cert.pem')), key: await readFile(join(dir, 'key.pem')) }
  }))
})

afterAll(async () => {
  await close()
  await rm(dir, { recursive: true, force: true })
})

async function httpsHeaders (at: number, path: string, host = `relay.example.org:${at}`): Promise<Record<string, string | string[] | undefined>> {
  return await new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: at, path, headers: { host }, rejectUnauthorized: false, agent: false }, res => {
      res.resume()
      resolve(res.headers)
    }).on('error', reject)
  })
}

async function httpsStatus (at: number, path: string): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    get({ host: '127.0.0.1', port: at, path, rejectUnauthorized: false, agent: false }, res => {
      res.resume()
      resolve(res.statusCode ?? 0)
    }).on('error', reject)
  })
}

describe('relay over TLS', () => {
  it('should close a socket that never finishes its TLS handshake, as over plain HTTP', async () => {
    expect(TLS_HANDSHAKE_TIMEOUT_MS).toBeLessThanOrEqual(HTTP_HEADERS_TIMEOUT_MS)
    const started = Date.now()
    const socket = connect({ host: '127.0.0.1', port })
    socket.on('error', () => {})
    // the start of a ClientHello record, and then nothing
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]))
    const closed = await new Promise<boolean>(resolve => {
      socket.on('close', () => { resolve(true) })
      setTimeout(() => { resolve(false) }, TLS_HANDSHAKE_TIMEOUT_MS + MARGIN_MS)
    })
    socket.destroy()
    expect(closed, `still open after ${Date.now() - started} ms`).toBe(true)
  }, TLS_HANDSHAKE_TIMEOUT_MS + 2 * MARGIN_MS)

  it('should still answer a client that completes its handshake', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false }, res => {
        res.resume()
        resolve(res.statusCode ?? 0)
      }).on('error', reject)
    })
    // the relay is not running libp2p here: healthz says so, over TLS
    expect(status).toBe(503)
  })

  it('should tell browsers to come back over https only (HSTS), on every response', async () => {
    for (const path of ['/', '/healthz', '/relay.json', '/missing.js']) {
      const headers = await httpsHeaders(port, path)
      expect(headers['strict-transport-security'], path).toBe(`max-age=${HSTS_MAX_AGE_S}`)
      expect(headers['x-content-type-options'], path).toBe('nosniff')
    }
  })

  it('should not pin localhost to https, where a developer runs other servers', async () => {
    for (const host of [`localhost:${port}`, 'LOCALHOST', `relay.localhost:${port}`]) {
      const headers = await httpsHeaders(port, '/healthz', host)
      expect(headers['strict-transport-security'], host).toBeUndefined()
      expect(headers['x-content-type-options'], host).toBe('nosniff')
    }
  })

  it('should count TLS connections per IP until they are upgraded, like plain ones', async () => {
    const max = 2
    // stands in for libp2p's WebSocket listener, which takes the upgrades the same way
    const wss = new WebSocketServer({ noServer: true })
    const proxy = createUpgradeProxy({ maxConnectionsPerIp: 8, trustProxy: false })
    proxy.setTarget((req, socket, head) => { wss.handleUpgrade(req, socket, head, () => {}) })
    const capped = await listenPublicServer({
      staticDir: dir,
      tls: { cert: await readFile(join(dir, 'cert.pem')), key: await readFile(join(dir, 'key.pem')) },
      proxy,
      maxConnectionsPerIp: max
    })
    const at = capped.port
    const sockets: WebSocket[] = []
    try {
      // more WebSockets than the cap: each leaves the count once upgraded
      for (let i = 0; i < 2 * max; i++) {
        const ws = new WebSocket(`wss://127.0.0.1:${at}/`, { rejectUnauthorized: false })
        sockets.push(ws)
        await new Promise<void>((resolve, reject) => { ws.once('open', () => { resolve() }); ws.once('error', reject) })
      }
      expect(await httpsStatus(at, '/healthz')).toBe(503)
    } finally {
      for (const ws of sockets) ws.terminate()
      wss.close()
      await capped.close()
    }
  })
})
