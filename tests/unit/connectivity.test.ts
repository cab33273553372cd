import { describe, expect, it } from 'vitest'
import { reachesServer } from '../../src/lib/p2p/connectivity.ts'

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
