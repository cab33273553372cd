import '../../relay/ws-compat.ts'
import { createServer, type Server, type Socket } from 'node:net'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'

/** a well-formed peer ID for the address; nobody answers as it */
const SOME_PEER = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
/** the dial gives up this long after it began, while the WebSocket is still connecting */
const DIAL_ABORT_MS = 200
/** how long the socket may take to be closed once the dial gave up */
const CLOSE_WAIT_MS = 5_000

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A TCP server that takes connections and never answers the WebSocket handshake, as a stuck host does. */
async function stuckHost (): Promise<{ port: number, accepted: Promise<Socket> }> {
  let accept!: (socket: Socket) => void
  const accepted = new Promise<Socket>(resolve => { accept = resolve })
  const sockets: Socket[] = []
  const server: Server = createServer(socket => {
    socket.on('error', () => {})
    // read (and drop) the handshake: a socket that is not read never hears the other side close
    socket.resume()
    sockets.push(socket)
    accept(socket)
  })
  await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
  cleanups.push(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  return { port: (server.address() as { port: number }).port, accepted }
}

async function node (): Promise<Libp2p> {
  const created = await createLibp2p({ transports: [webSockets()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
  cleanups.push(async () => { await created.stop() })
  return created
}

describe('a WebSocket dial from Node (the relay dialing other relays)', () => {
  it('should close the socket of a dial given up while connecting, so it neither leaks nor fails later unheard', async () => {
    const host = await stuckHost()
    const dialer = await node()
    const dialed = dialer.dial(multiaddr(`/ip4/127.0.0.1/tcp/${host.port}/ws/p2p/${SOME_PEER}`), { signal: AbortSignal.timeout(DIAL_ABORT_MS) })
    await expect(dialed).rejects.toThrow()
    const socket = await host.accepted
    // before the fix the socket stayed open; had the host then hung up, `ws`
    // would have thrown its error with no listener, killing the process
    const closed = socket.closed || await new Promise<boolean>(resolve => {
      const timer = setTimeout(() => { resolve(false) }, CLOSE_WAIT_MS)
      socket.once('close', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    expect(closed).toBe(true)
    // the host hanging up now reaches nobody: the process goes on
    socket.destroy()
    await new Promise(resolve => setTimeout(resolve, 100))
  }, CLOSE_WAIT_MS + 5_000)
})
