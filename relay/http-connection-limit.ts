/**
 * A cap on the plain HTTP connections one client address holds at once on
 * the public port. Without it one host could open sockets until the relay ran
 * out of file descriptors for everyone; the HTTP timeouts only bound how long
 * each one lasts.
 *
 * Counted as each TCP connection is accepted, before a byte of it is read, so
 * the address is the socket's peer. X-Forwarded-For cannot be used here: no
 * request has been read yet, and one keep-alive connection from a reverse
 * proxy carries the requests of many clients. Behind a proxy every connection
 * comes from the proxy, so the cap is left off there (the proxy's own limits
 * apply) and relay.ts passes none.
 *
 * A connection leaves the count when it is upgraded to a WebSocket: from then
 * on the upgrade proxy's per-IP limit and libp2p's own limits count it.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { clientKey } from './client-address.ts'

export interface HttpConnectionLimitInit {
  /** connections one client address may hold, counted as in client-address.ts */
  maxPerIp: number
  /** a connection closed because its address had too many */
  onRefused?: (ip: string) => void
}

export interface HttpConnectionLimit {
  /** takes an upgraded connection out of the count */
  release: (socket: { remoteAddress?: string, remotePort?: number }) => void
  /** connections counted now */
  readonly size: number
}

interface Counted {
  key: string
  ip: string
  socket: Socket
  /** requests on it whose response has not finished */
  inFlight: number
  /** a request has been answered and no other has come: a keep-alive socket waiting */
  idle: boolean
}

/**
 * One TCP connection's name while it is open. An https server's requests come
 * on the TLS socket wrapped around the TCP socket counted here; both have the
 * same peer address and port.
 */
function keyOf (socket: { remoteAddress?: string, remotePort?: number }): string {
  return `${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`
}

export function limitHttpConnections (server: Server, init: HttpConnectionLimitInit): HttpConnectionLimit {
  const byKey = new Map<string, Counted>()
  const perIp = new Map<string, Set<Counted>>()

  function forget (counted: Counted): void {
    if (byKey.get(counted.key) === counted) byKey.delete(counted.key)
    const held = perIp.get(counted.ip)
    if (held?.delete(counted) === true && held.size === 0) perIp.delete(counted.ip)
  }

  server.on('connection', (socket: Socket) => {
    // a peer already gone has no address to count, nor a socket to keep
    if (socket.remoteAddress == null) {
      socket.destroy()
      return
    }
    const key = keyOf(socket)
    const ip = clientKey(socket.remoteAddress)
    const held = perIp.get(ip) ?? new Set<Counted>()
    if (held.size >= init.maxPerIp) {
      // a keep-alive socket between page loads goes first: browsers open a
      // fresh one when a reused one turns out closed, so nobody's load fails
      const waiting = [...held].find(counted => counted.idle)
      if (waiting == null) {
        init.onRefused?.(ip)
        socket.destroy()
        return
      }
      forget(waiting)
      waiting.socket.destroy()
    }
    const counted: Counted = { key, ip, socket, inFlight: 0, idle: false }
    held.add(counted)
    perIp.set(ip, held)
    byKey.set(key, counted)
    socket.once('close', () => { forget(counted) })
  })

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const counted = byKey.get(keyOf(req.socket))
    if (counted == null) return
    counted.inFlight++
    counted.idle = false
    res.once('close', () => {
      counted.inFlight--
      counted.idle = counted.inFlight === 0
    })
  })

  return {
    release (socket) {
      const counted = byKey.get(keyOf(socket))
      if (counted != null) forget(counted)
    },
    get size () {
      return byKey.size
    }
  }
}
