import { describe, expect, it } from 'vitest'
import { reachesServer, untilDirect } from '../../src/lib/p2p/connectivity.ts'
import type { Connection } from '@libp2p/interface'

// identify runs only where reachesServer says so: a relay must pass (its
// reservation and DHT depend on identify), another browser must not
describe('reachesServer', () => {
  it('should say yes for a WebSocket connection to a relay (yamux, no limits)', () => {
    expect(reachesServer({ limits: undefined, multiplexer: '/yamux/1.0.0' })).toBe(true)
  })

  it('should say no for a browser reached through a relay circuit (limited)', () => {
    expect(reachesServer({ limits: { bytes: 1n << 20n, seconds: 120 }, multiplexer: '/yamux/1.0.0' })).toBe(false)
  })

  it('should say no for a browser reached over WebRTC', () => {
    expect(reachesServer({ limits: undefined, multiplexer: '/webrtc' })).toBe(false)
  })
})

/** A WebRTC connection whose ICE is still connecting: events on it and its peer connection as libp2p and the browser fire them. */
function connectingWebRTC (): { conn: Connection, pc: EventTarget & { connectionState: RTCPeerConnectionState }, close: () => void } {
  const pc = Object.assign(new EventTarget(), { connectionState: 'connecting' as RTCPeerConnectionState, getStats: async () => new Map() })
  const conn = Object.assign(new EventTarget(), { status: 'open', limits: undefined, multiplexer: '/webrtc', maConn: { peerConnection: pc } })
  return {
    conn: conn as unknown as Connection,
    pc,
    close: () => {
      // RTCPeerConnection.close() fires no connectionstatechange; libp2p says close
      conn.status = 'closed'
      conn.dispatchEvent(new Event('close'))
    }
  }
}

describe('untilDirect', () => {
  it('should say yes once the path connects', async () => {
    const { conn, pc } = connectingWebRTC()
    const waiting = untilDirect(conn, AbortSignal.timeout(5_000))
    pc.connectionState = 'connected'
    pc.dispatchEvent(new Event('connectionstatechange'))
    expect(await waiting).toBe(true)
  })

  it('should say no when the connection is closed, not wait for the dial to give up', async () => {
    const { conn, close } = connectingWebRTC()
    // a signal that never ends: only the close can end the wait
    const waiting = untilDirect(conn, new AbortController().signal)
    close()
    expect(await waiting).toBe(false)
  })
})
