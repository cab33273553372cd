import { defaultLogger } from '@libp2p/logger'
import { describe, expect, it } from 'vitest'
// the patched module itself: the package exports only the transport
import { webSocketToMaConn } from '../../node_modules/@libp2p/websockets/dist/src/websocket-to-conn.js'
import { MAX_WS_MESSAGE_BYTES } from '../../relay/constants.ts'
import { multiaddr } from '@multiformats/multiaddr'

const MIB = 1024 * 1024

/** A WebSocket that takes every message at once and keeps a copy. */
function recordingSocket (): { socket: WebSocket, messages: Uint8Array[] } {
  const messages: Uint8Array[] = []
  const socket = {
    bufferedAmount: 0,
    send: (data: ArrayBuffer | Uint8Array) => { messages.push(new Uint8Array(data instanceof ArrayBuffer ? data : data.slice())) },
    addEventListener: () => {},
    close: () => {}
  } as unknown as WebSocket
  return { socket, messages }
}

describe('WebSocket messages a node sends (the @libp2p/websockets patch)', () => {
  it('should cut a write buffer larger than the relay takes into messages it takes, in order and whole', () => {
    const { socket, messages } = recordingSocket()
    const conn = webSocketToMaConn({
      websocket: socket,
      remoteAddr: multiaddr('/ip4/127.0.0.1/tcp/9090/ws'),
      direction: 'outbound',
      log: defaultLogger().forComponent('test')
    })
    // frames of Noise's largest size, then a buffer as large as a busy socket's backlog grows
    const sent = [...Array.from({ length: 8 }, (_, i) => new Uint8Array(64 * 1024 + 18).fill(i)), new Uint8Array(3 * MIB).map((_, i) => i % 251)]
    for (const data of sent) conn.send(data)
    expect(Math.max(...messages.map(m => m.byteLength))).toBeLessThanOrEqual(MAX_WS_MESSAGE_BYTES)
    expect(Buffer.concat(messages).equals(Buffer.concat(sent))).toBe(true)
  })
})
