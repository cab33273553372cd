/**
 * Hands WebSocket upgrades from the public HTTP server to libp2p's WebSocket
 * listener in the same process, after our per-IP limit. The listener cannot
 * share our server (it answers plain HTTP with 400), so it listens on a
 * loopback port of its own; it used to get each upgrade as a second TCP
 * connection to that port with bytes piped both ways. Handing it the public
 * socket instead drops, per client, two of its three sockets, an HTTP parse
 * and a copy of every byte through two pipes.
 */
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { clientAddress } from './client-address.ts'
import { INBOUND_UPGRADE_TIMEOUT_MS, DEFAULT_MAX_UPGRADING_PER_IP } from './constants.ts'
import { PROXY_KEEPALIVE_MS, WEBSOCKET_PATH } from './http-constants.ts'

/** libp2p's WebSocket listener's own upgrade handler: it completes the handshake and upgrades the connection. */
export type UpgradeTarget = (req: IncomingMessage, socket: Duplex, head: Buffer) => void

export interface UpgradeProxyInit {
  /** sockets one client address (an IPv6 client: its /64) may hold through us, pending or established */
  maxConnectionsPerIp: number
  /**
   * Read the client address from the last X-Forwarded-For entry. Off by
   * default: without a reverse proxy in front that sets the header, any client
   * could write its own and dodge the per-IP limit, or fill another's quota.
   */
  trustProxy: boolean
  /**
   * The request targets upgrades are taken on (addresses.ts upgradeTargets);
   * WEBSOCKET_PATH alone by default. Anything else is answered 404.
   */
  paths?: readonly string[]
  /**
   * upgrades one client address may begin within `upgradeTimeoutMs`, closed
   * since or not (they may still be setting up); DEFAULT_MAX_UPGRADING_PER_IP unless told
   */
  maxUpgradingPerIp?: number
  /** how long libp2p gives a new connection to finish its upgrade; INBOUND_UPGRADE_TIMEOUT_MS unless told */
  upgradeTimeoutMs?: number
  /** a refusal by one of our limits, for metrics and the log */
  onRefused?: (limit: 'per_ip' | 'upgrading_per_ip', ip: string) => void
}

export interface UpgradeProxy {
  /** the 'upgrade' handler for the public server */
  handle: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
  /** where upgrades go; until set, they get 503 */
  setTarget: (target: UpgradeTarget) => void
  /** upgraded sockets currently open */
  readonly size: number
  /** destroys every upgraded socket */
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

/** Adds `by` to the address's count, which goes when it reaches 0. */
function count (counts: Map<string, number>, ip: string, by: number): void {
  const now = (counts.get(ip) ?? 0) + by
  if (now > 0) counts.set(ip, now)
  else counts.delete(ip)
}

export function createUpgradeProxy (init: UpgradeProxyInit): UpgradeProxy {
  let target: UpgradeTarget | undefined
  const open = new Set<Duplex>()
  const perIp = new Map<string, number>()
  const upgrading = new Map<string, number>()
  const paths = new Set(init.paths ?? [WEBSOCKET_PATH])

  function handle (req: IncomingMessage, client: Duplex, head: Buffer): void {
    // an error on the client socket must never become an uncaught exception
    client.on('error', () => { client.destroy() })
    // libp2p's listener would take an upgrade on any path: /relay.json or an
    // app page would open a libp2p connection to whoever asked there
    if (!paths.has(req.url ?? '')) {
      refuse(client, '404 Not Found')
      return
    }
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      refuse(client, '400 Bad Request')
      return
    }
    if (target == null) {
      refuse(client, '503 Service Unavailable')
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
    const begun = upgrading.get(ip) ?? 0
    if (begun >= (init.maxUpgradingPerIp ?? DEFAULT_MAX_UPGRADING_PER_IP)) {
      init.onRefused?.('upgrading_per_ip', ip)
      refuse(client, '429 Too Many Requests')
      return
    }
    count(perIp, ip, 1)
    count(upgrading, ip, 1)
    open.add(client)
    // counted for the whole upgrade time, closed or not: sockets opened and
    // closed at once cost the set-up all the same, and libp2p's own limit of
    // new connections a second counts the proxy's address for everyone behind it
    setTimeout(() => { count(upgrading, ip, -1) }, init.upgradeTimeoutMs ?? INBOUND_UPGRADE_TIMEOUT_MS).unref()
    client.once('close', () => {
      open.delete(client)
      count(perIp, ip, -1)
    })
    if ('setKeepAlive' in client && typeof client.setKeepAlive === 'function') {
      (client as Socket).setKeepAlive(true, PROXY_KEEPALIVE_MS)
    }
    if ('setNoDelay' in client && typeof client.setNoDelay === 'function') {
      (client as Socket).setNoDelay(true)
    }
    // a bad handshake is answered (400) and the socket destroyed by the listener;
    // after that the connection is libp2p's, with its own timeouts and pings
    target(req, client, head)
  }

  return {
    handle,
    setTarget (upgrade: UpgradeTarget) {
      target = upgrade
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
