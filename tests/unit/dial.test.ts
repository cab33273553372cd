import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it, vi } from 'vitest'
import { connectPeer, dialRelayed } from '../../src/lib/p2p/dial.ts'
import { isDirect, isRelayed } from '../../src/lib/p2p/connectivity.ts'
import type { PeerlinkNode } from '../../src/lib/p2p/node.ts'
import type { Connection, PeerId } from '@libp2p/interface'

const PEER = peerIdFromString('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')
const RELAY = multiaddr('/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWJ5n3AyxeKZTMM4D5oyRNWfiCeUKnN6QG3XEbh3qhBuRV')

/** The parts of a libp2p connection the dialing code reads; `ice` is its RTCPeerConnection's state. */
function connection (kind: 'webrtc' | 'circuit', ice: RTCPeerConnectionState = 'connected'): Connection {
  const peerConnection = { connectionState: ice, getStats: async () => new Map(), addEventListener: () => {}, removeEventListener: () => {} }
  return {
    status: 'open',
    remotePeer: PEER,
    limits: kind === 'circuit' ? { bytes: 1n << 17n, seconds: 120 } : undefined,
    multiplexer: kind === 'webrtc' ? '/webrtc' : '/yamux/1.0.0',
    maConn: kind === 'webrtc' ? { peerConnection } : {}
  } as unknown as Connection
}

/**
 * A node whose dial behaves as libp2p 3's does: unless forced, it hands back
 * an open connection without limits it already has to the peer (a WebRTC one
 * counts, whatever its ICE path says); otherwise it opens a new one.
 */
function fakeNode (existing: Connection[]): { node: PeerlinkNode, dial: ReturnType<typeof vi.fn> } {
  const conns = [...existing]
  const dial = vi.fn(async (addr: Multiaddr, options: { force?: boolean }) => {
    const reuse = conns.find(c => c.status === 'open' && c.limits == null)
    if (options.force !== true && reuse != null) return reuse
    const conn = connection(addr.toString().includes('/webrtc') ? 'webrtc' : 'circuit')
    conns.push(conn)
    return conn
  })
  const node = { dial, getConnections: (peer?: PeerId) => conns.filter(c => peer == null || c.remotePeer.equals(peer)) }
  return { node: node as unknown as PeerlinkNode, dial }
}

describe('dialing a peer whose WebRTC connection lost its path', () => {
  it('should open a new direct connection rather than get the dead one back', async () => {
    const stalled = connection('webrtc', 'disconnected')
    const { node, dial } = fakeNode([stalled])
    // bounded: without a new connection the dial would wait for a path that never comes back
    const conn = await connectPeer(node, PEER, [RELAY], { signal: AbortSignal.timeout(1_000) })
    expect(conn).not.toBe(stalled)
    expect(isDirect(conn)).toBe(true)
    expect(dial.mock.calls[0][1]).toMatchObject({ force: true })
  })

  it('should open a relayed connection rather than get the dead one back', async () => {
    const { node } = fakeNode([connection('webrtc', 'disconnected')])
    const conn = await dialRelayed(node, PEER, [RELAY], { signal: AbortSignal.timeout(1_000) })
    expect(isRelayed(conn)).toBe(true)
  })

  it('should not force a dial while the connection it has is healthy', async () => {
    const healthy = connection('webrtc')
    const { node, dial } = fakeNode([healthy])
    expect(await connectPeer(node, PEER, [RELAY])).toBe(healthy)
    expect(dial).not.toHaveBeenCalled()
  })
})
