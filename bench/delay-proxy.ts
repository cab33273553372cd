/**
 * A TCP proxy on loopback that holds every chunk for a fixed time each way:
 * a relay as far away as a real one (`BENCH_RELAY_RTT_MS`). Loopback makes a
 * round trip to the relay nearly free, so it hides what the dial's round
 * trips cost on a real network; this machine has no `tc netem` to add delay
 * (../shared/PLATFORM.md), hence a proxy. Everything the pages send the relay
 * goes through it: the app's files, the WebSockets, and so every relayed
 * message, which crosses it twice (out to the relay and back in to the peer).
 */
import { connect, createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export interface DelayProxy {
  /** the port pages use in place of the relay's */
  port: number
  /** where to forward to: known only once the relay has started */
  forwardTo: (port: number) => void
  close: () => Promise<void>
}

/** Forward `from` to `to`, each chunk and the end `delayMs` later, in order (timers of one duration fire in the order they were set). */
function pipeDelayed (from: Socket, to: Socket, delayMs: number): void {
  from.on('data', chunk => { setTimeout(() => { if (!to.destroyed) to.write(chunk) }, delayMs) })
  from.on('end', () => { setTimeout(() => { to.end() }, delayMs) })
  from.on('close', () => { setTimeout(() => { to.destroy() }, delayMs) })
  from.on('error', () => { to.destroy() })
}

export async function startDelayProxy (roundTripMs: number): Promise<DelayProxy> {
  const oneWayMs = roundTripMs / 2
  let target: number | undefined
  const sockets = new Set<Socket>()
  const server = createServer(client => {
    if (target == null) { client.destroy(); return }
    const upstream = connect(target, '127.0.0.1')
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true)
      sockets.add(socket)
      socket.on('close', () => { sockets.delete(socket) })
    }
    pipeDelayed(client, upstream, oneWayMs)
    pipeDelayed(upstream, client, oneWayMs)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    forwardTo: port => { target = port },
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}
