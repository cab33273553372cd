import { afterEach, describe, expect, it, vi } from 'vitest'

// the diagnostics read the node through the session; here, a node of our own making
const fake = vi.hoisted(() => ({ running: undefined as unknown }))
vi.mock('../../src/lib/state/session.svelte.ts', () => ({
  session: { ready: async () => fake.running }
}))
const { diagnostics } = await import('../../src/lib/state/diagnostics.svelte.ts')

/** A connection the WebRTC transport made, its peer connection in `state`. */
function webrtc (id: string, state: RTCPeerConnectionState, status = 'open'): unknown {
  const pc = { connectionState: state, getStats: async () => new Map(), addEventListener () {}, removeEventListener () {} }
  return {
    id,
    status,
    direction: 'outbound',
    remotePeer: { toString: () => `peer-${id}` },
    multiplexer: '/webrtc',
    encryption: '/noise',
    remoteAddr: { toString: () => '/ip4/127.0.0.1/tcp/1/ws/p2p/relay/p2p-circuit/webrtc' },
    streams: [],
    maConn: { peerConnection: pc }
  }
}

function nodeWith (connections: unknown[]): void {
  fake.running = {
    node: { getConnections: () => connections, getMultiaddrs: () => [] },
    messenger: { counts: () => ({}) },
    locator: { stats: {} }
  }
}

let stop: (() => void) | undefined
afterEach(() => { stop?.() })

describe('diagnostics: the kind of each connection', () => {
  it('should call a WebRTC connection WebRTC also while its ICE path is down or still connecting, never WebSocket', async () => {
    const relay = { ...(webrtc('relay', 'connected') as object), multiplexer: '/yamux', maConn: {} }
    nodeWith([relay, webrtc('up', 'connected'), webrtc('down', 'disconnected'), webrtc('new', 'connecting'), webrtc('closing', 'connected', 'closing')])
    stop = diagnostics.watch()
    await vi.waitFor(() => { expect(diagnostics.connections).toHaveLength(5) })
    const kinds = Object.fromEntries(diagnostics.connections.map(c => [c.id, c.kind]))
    expect(kinds.relay).toBe('WebSocket')
    expect(kinds.up).toBe('WebRTC')
    expect(kinds.down).toBe('WebRTC (path disconnected)')
    expect(kinds.new).toBe('WebRTC (path connecting)')
    expect(kinds.closing).toBe('WebRTC (closing)')
  })
})
