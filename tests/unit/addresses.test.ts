import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { peerIdOf } from '../../src/lib/shared/addresses.ts'

const RELAY = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
const PEER = '12D3KooWGRUVh1HLrvwC8CC8aSYRkw3iKPkBzo9oKBPLpHdGRzLc'

describe('peerIdOf', () => {
  it('should give the peer ID an address ends in', () => {
    expect(peerIdOf(multiaddr(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}`))).toBe(RELAY)
  })

  it('should give the peer behind the relay for a circuit address', () => {
    expect(peerIdOf(multiaddr(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`))).toBe(PEER)
    expect(peerIdOf(multiaddr(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY}/p2p-circuit`))).toBe(RELAY)
  })

  it('should give undefined for an address that names no peer', () => {
    expect(peerIdOf(multiaddr('/ip4/127.0.0.1/tcp/9090/ws'))).toBeUndefined()
    expect(peerIdOf(multiaddr('/dns4/relay.example.org/tcp/443/tls/ws'))).toBeUndefined()
  })
})
