/**
 * patches/@libp2p+websockets+10.1.21.patch: a connection libp2p aborts is
 * reset on the wire. The library closed the socket with code 1006, which a
 * WebSocket may not send: ws threw a TypeError and browsers throw an
 * InvalidAccessError, abort() swallowed either, and the socket stayed open
 * (on the relay, until the peer closed it).
 */
import { defaultLogger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import type { AddressInfo } from 'node:net'
// the module itself: the package exports only its transport, and this is the part patched
import { webSocketToMaConn } from '../../node_modules/@libp2p/websockets/dist/src/websocket-to-conn.js'

const cleanups: Array<() => void> = []

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

type Socket = Parameters<typeof webSocketToMaConn>[0]['websocket']

function maConnOver (websocket: unknown): { abort: (err: Error) => void } {
  return webSocketToMaConn({
    websocket: websocket as Socket,
    remoteAddr: multiaddr('/ip4/127.0.0.1/tcp/1/ws'),
    direction: 'inbound',
    log: defaultLogger().forComponent('test:websocket-reset')
  })
}

describe('a WebSocket connection aborted by libp2p', () => {
  it('should drop the socket at once where it can (Node\'s ws, as the relay runs): the peer sees it go', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    cleanups.push(() => { server.close() })
    await new Promise(resolve => server.once('listening', resolve))
    const accepted = new Promise<unknown>(resolve => server.once('connection', resolve))
    const peer = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`)
    cleanups.push(() => { peer.terminate() })
    const closed = new Promise<number>(resolve => peer.once('close', resolve))
    const maConn = maConnOver(await accepted)
    maConn.abort(new Error('a peer breaking the protocol'))
    // no close frame came: the socket was dropped, not closed by a handshake
    expect(await closed).toBe(1006)
  })

  it('should close with a code of the application\'s range where it cannot drop the socket (a browser\'s WebSocket)', () => {
    const close = vi.fn((code?: number) => {
      // what a browser says to 1006
      if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) throw new DOMException('The code must be either 1000, or between 3000 and 4999.', 'InvalidAccessError')
    })
    const browserSocket = { close, send: () => {}, addEventListener: () => {}, bufferedAmount: 0 }
    maConnOver(browserSocket).abort(new Error('the relay stopped answering'))
    expect(close).toHaveBeenCalledTimes(1)
    expect(close.mock.results[0].type).toBe('return')
  })
})
