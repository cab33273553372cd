/**
 * Forwards WebSocket upgrades from the public HTTP server to libp2p's internal
 * WebSocket listener at the TCP level. The listener answers plain HTTP with 400
 * and cannot share our server, so it gets its own loopback port and we replay
 * each upgrade request there, then pipe bytes both ways.
 */
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { MAX_PENDING_UPGRADES, PROXY_KEEPALIVE_MS, UPGRADE_TIMEOUT_MS } from './constants.ts'

export interface UpgradeProxyInit {
  /** sockets one client address may hold through us, pending or established */
  maxConnectionsPerIp: number
  /**
   * Read the client address from the last X-Forwarded-For entry. Off by
   * default: without a reverse proxy in front that sets the header, any client
   * could write its own and dodge the per-IP limit, or fill another's quota.
   */
  trustProxy: boolean
  /** a refusal by one of our limits, for metrics and the log */
  onRefused?: (limit: 'per_ip' | 'pending_upgrades', ip: string) => void
}

export interface UpgradeProxy {
  /** the 'upgrade' handler for the public server */
  handle: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
  /** where to forward; until set, upgrades get 503 */
  setTarget: (port: number) => void
  /** sockets currently proxied (both sides counted once) */
  readonly size: number
  /** destroys every proxied socket */
  closeAll: () => void
}

/** How long a refused client gets to read our short answer before its socket is destroyed. */
const REFUSAL_LINGER_MS = 1000

function refuse (socket: Duplex, status: string): void {
  const timer = setTimeout(() => { socket.destroy() }, REFUSAL_LINGER_MS)
  timer.unref()
  // destroy once the answer is flushed, so a client that never reads cannot keep the socket
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => {
    clearTimeout(timer)
    socket.destroy()
  })
}

/** The address a client is counted under: IPv4-mapped IPv6 is the IPv4 address it maps. */
function normalize (address: string): string {
  const text = address.trim()
  return text.startsWith('::ffff:') && text.includes('.') ? text.slice(7) : text
}

function clientAddress (req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    // the last entry is the one our own reverse proxy appended; the ones before it are the client's say-so
    const forwarded = String(req.headers['x-forwarded-for'] ?? '').split(',').map(part => part.trim()).filter(part => part !== '')
    if (forwarded.length > 0) return normalize(forwarded[forwarded.length - 1])
  }
  return normalize(req.socket.remoteAddress ?? 'unknown')
}

/** Rebuilds the request head as the client sent it; Node's parser already refused CR/LF inside. */
function requestHead (req: IncomingMessage): string {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`]
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
  }
  return lines.join('\r\n') + '\r\n\r\n'
}

export function createUpgradeProxy (init: UpgradeProxyInit): UpgradeProxy {
  let target: number | undefined
  let pending = 0
  const open = new Set<Duplex>()
  const perIp = new Map<string, number>()

  function handle (req: IncomingMessage, client: Duplex, head: Buffer): void {
    // an error on the client socket must never become an uncaught exception
    client.on('error', () => { client.destroy() })
    if (target == null) {
      refuse(client, '503 Service Unavailable')
      return
    }
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      refuse(client, '400 Bad Request')
      return
    }
    const ip = clientAddress(req, init.trustProxy)
    const held = perIp.get(ip) ?? 0
    // checked before any libp2p work: a refused client costs one short answer
    if (held >= init.maxConnectionsPerIp) {
      init.onRefused?.('per_ip', ip)
      refuse(client, '429 Too Many Requests')
      return
    }
    if (pending >= MAX_PENDING_UPGRADES) {
      init.onRefused?.('pending_upgrades', ip)
      refuse(client, '503 Service Unavailable')
      return
    }
    perIp.set(ip, held + 1)
    pending++
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      const left = (perIp.get(ip) ?? 1) - 1
      if (left > 0) perIp.set(ip, left)
      else perIp.delete(ip)
    }
    let settled = false
    const settle = (): void => {
      if (settled) return
      settled = true
      pending--
      clearTimeout(timer)
    }

    const upstream: Socket = connect({ host: '127.0.0.1', port: target })
    open.add(client)
    const teardown = (): void => {
      settle()
      release()
      open.delete(client)
      client.destroy()
      upstream.destroy()
    }
    // the internal listener must answer the upgrade in time; after that the
    // connection is libp2p's, which has its own timeouts and keep-alive pings
    const timer = setTimeout(teardown, UPGRADE_TIMEOUT_MS)
    upstream.on('error', teardown)
    upstream.on('close', teardown)
    client.on('error', teardown)
    client.on('close', teardown)
    upstream.once('data', settle)

    upstream.once('connect', () => {
      if (client.destroyed) {
        teardown()
        return
      }
      upstream.setNoDelay(true)
      if ('setKeepAlive' in client && typeof client.setKeepAlive === 'function') {
        (client as Socket).setKeepAlive(true, PROXY_KEEPALIVE_MS)
      }
      if ('setNoDelay' in client && typeof client.setNoDelay === 'function') {
        (client as Socket).setNoDelay(true)
      }
      upstream.write(requestHead(req))
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
  }

  return {
    handle,
    setTarget (port: number) {
      target = port
    },
    get size () {
      return open.size
    },
    closeAll () {
      for (const socket of open) socket.destroy()
      open.clear()
    }
  }
}
