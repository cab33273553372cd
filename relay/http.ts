/**
 * The relay's one public port: /relay.json, /healthz, the built app, and
 * WebSocket upgrades handed to the upgrade proxy.
 */
import { createServer as createHttpServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { Duplex } from 'node:stream'
import type { RelayInfo } from '../src/lib/shared/relay-info.ts'
import {
  CONTENT_SECURITY_POLICY, HSTS_MAX_AGE_S, HTTP_HEADERS_TIMEOUT_MS, HTTP_IDLE_TIMEOUT_MS, HTTP_KEEPALIVE_TIMEOUT_MS,
  HTTP_REQUEST_TIMEOUT_MS, TLS_HANDSHAKE_TIMEOUT_MS
} from './http-constants.ts'
import { limitHttpConnections } from './http-connection-limit.ts'
import type { Logger } from './logger.ts'
import { createStaticHandler } from './static-files.ts'
import type { UpgradeProxy } from './upgrade-proxy.ts'

export interface Health {
  ok: boolean
  peerId: string
  connections: number
  reservations: number
}

export interface HttpInit {
  staticDir: string
  /** PEM cert and key: serve https instead of http */
  tls?: { cert: Buffer, key: Buffer }
  /** read on every request: the peer ID and addresses are only known once libp2p runs */
  relayInfo: () => RelayInfo | undefined
  health: () => Health | undefined
  proxy: UpgradeProxy
  /** the Prometheus text format for GET /metrics */
  metrics: () => Promise<{ contentType: string, body: string }>
  log: Logger
  /** HTTP connections one client address may hold (http-connection-limit.ts); none: no cap (behind a reverse proxy) */
  maxConnectionsPerIp?: number
  /** a connection closed by that cap, for metrics and the log */
  onRefused?: (ip: string) => void
  /** HTTP_IDLE_TIMEOUT_MS unless a test needs it shorter */
  idleTimeoutMs?: number
  /** HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS and Node's check of them every 30 s, unless a test needs them shorter */
  requestTimeouts?: { headersMs: number, requestMs: number, checkIntervalMs: number }
}

/** On every response: the app is never framed, never MIME-sniffed, and leaks no referrer. */
const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY
}

function sendJson (req: IncomingMessage, res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...extra
  })
  res.end(req.method === 'HEAD' ? undefined : text)
}

function sendPlain (res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra })
  res.end(text)
}

/**
 * The status line for a request Node's parser gave up on, as Node itself would
 * answer without a clientError listener: a browser shows 431 as "headers too
 * large" (too many cookies) and may retry a 408, where 400 says its request was wrong.
 */
function clientErrorStatus (code: string | undefined): string {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW': return '431 Request Header Fields Too Large'
    case 'ERR_HTTP_REQUEST_TIMEOUT': return '408 Request Timeout'
    default: return '400 Bad Request'
  }
}

/**
 * Whether a request was addressed to localhost. HSTS there would hold for
 * every port of it, a year long: a developer's other servers on
 * http://localhost would stop loading. (Browsers ignore it for IP addresses.)
 */
function isLocalhost (host: string | undefined): boolean {
  if (host == null) return false
  const name = host.replace(/:\d*$/, '').replace(/\.$/, '').toLowerCase()
  return name === 'localhost' || name.endsWith('.localhost')
}

export function createPublicServer (init: HttpInit): Server {
  const serveStatic = createStaticHandler(init.staticDir)

  async function route (req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
    // over plain HTTP a browser ignores the header, and a proxy in front sends its own
    if (init.tls != null && !isLocalhost(req.headers.host)) res.setHeader('Strict-Transport-Security', `max-age=${HSTS_MAX_AGE_S}`)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendPlain(res, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' })
      return
    }
    let pathname: string
    try {
      // the base only gives relative request targets something to resolve against
      pathname = new URL(req.url ?? '/', 'http://relay.invalid').pathname
    } catch {
      sendPlain(res, 400, 'Bad request\n')
      return
    }
    if (pathname === '/relay.json') {
      const info = init.relayInfo()
      if (info == null) {
        sendPlain(res, 503, 'Relay starting\n')
        return
      }
      // public facts only, so a page from another relay's origin may read them
      sendJson(req, res, 200, info, { 'Access-Control-Allow-Origin': '*' })
      return
    }
    if (pathname === '/healthz') {
      const health = init.health()
      sendJson(req, res, health?.ok === true ? 200 : 503, health ?? { ok: false })
      return
    }
    if (pathname === '/metrics') {
      const { contentType, body } = await init.metrics()
      res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' })
      res.end(req.method === 'HEAD' ? undefined : body)
      return
    }
    await serveStatic(req, res, pathname)
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((err: Error) => {
      init.log.error('error serving a request', { url: req.url ?? '', err })
      if (!res.headersSent) {
        sendPlain(res, 500, 'Internal error\n')
      } else {
        res.destroy()
      }
    })
  }

  const timeouts = init.requestTimeouts
  // Node reads the check interval only here; the timeouts themselves at each check
  const httpOptions = timeouts != null ? { connectionsCheckingInterval: timeouts.checkIntervalMs } : {}
  const server: Server = init.tls != null
    ? createHttpsServer({ ...httpOptions, cert: init.tls.cert, key: init.tls.key, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS }, onRequest)
    : createHttpServer(httpOptions, onRequest)
  server.headersTimeout = timeouts?.headersMs ?? HTTP_HEADERS_TIMEOUT_MS
  server.requestTimeout = timeouts?.requestMs ?? HTTP_REQUEST_TIMEOUT_MS
  server.keepAliveTimeout = HTTP_KEEPALIVE_TIMEOUT_MS
  // upgraded sockets are not affected: ws turns the timeout off on the sockets it takes
  server.timeout = init.idleTimeoutMs ?? HTTP_IDLE_TIMEOUT_MS

  const limit = init.maxConnectionsPerIp != null
    ? limitHttpConnections(server, { maxPerIp: init.maxConnectionsPerIp, onRefused: init.onRefused })
    : undefined
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // counted as an HTTP connection no more: the proxy's per-IP limit and libp2p's take over
    limit?.release(req.socket)
    init.proxy.handle(req, socket, head)
  })
  // garbage, oversized headers, slow requests, resets: answer where still possible, never throw
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // a reset peer reads nothing; a socket that cannot be written would throw or queue in vain
    if (err.code !== 'ECONNRESET' && socket.writable) {
      socket.end(`HTTP/1.1 ${clientErrorStatus(err.code)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    socket.destroy()
  })
  // TLS handshakes that fail (scanners, plain HTTP to the https port) are not our errors
  server.on('tlsClientError', (_err: Error, socket: Duplex) => { socket.destroy() })
  return server
}
