import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { MultiaddrConnection } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { relayGater } from '../../src/lib/p2p/gater.ts'

const RELAY = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const PEER = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'

describe('the browser connection gater', () => {
  const gater = relayGater([multiaddr(RELAY)])
  const deny = async (ma: string): Promise<boolean> => await gater.denyDialMultiaddr!(multiaddr(ma))

  it('allows the configured relay and circuit addresses through it', async () => {
    expect(await deny(RELAY)).toBe(false)
    expect(await deny(`${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`)).toBe(false)
  })

  it('should refuse other loopback and private addresses, so peers cannot make us probe the LAN', async () => {
    expect(await deny('/ip4/127.0.0.1/tcp/22/ws')).toBe(true)
    expect(await deny('/ip4/192.168.1.1/tcp/9090/ws')).toBe(true)
    expect(await deny(`/ip4/10.0.0.1/tcp/9090/ws/p2p/${PEER}/p2p-circuit/webrtc/p2p/${PEER}`)).toBe(true)
  })

  it('should refuse plain ws to public hosts that are not our relay', async () => {
    expect(await deny('/dns4/example.org/tcp/80/ws')).toBe(true)
    expect(await deny('/dns4/example.org/tcp/443/tls/ws')).toBe(false)
  })
})

describe('the gater and blocked peers', () => {
  const BLOCKED = peerIdFromString('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')
  const FRIEND = peerIdFromString(PEER)
  const RELAY_ID = peerIdFromString(RELAY.split('/p2p/')[1])
  const maConn = {} as unknown as MultiaddrConnection

  it('should refuse dials to and connections with a blocked peer, either way, and let others through', async () => {
    const gater = relayGater([multiaddr(RELAY)], () => new Set([BLOCKED.toString()]))
    expect(await gater.denyDialPeer!(BLOCKED)).toBe(true)
    expect(await gater.denyInboundRelayedConnection!(RELAY_ID, BLOCKED)).toBe(true)
    expect(await gater.denyInboundEncryptedConnection!(BLOCKED, maConn)).toBe(true)
    expect(await gater.denyOutboundEncryptedConnection!(BLOCKED, maConn)).toBe(true)
    for (const peer of [FRIEND, RELAY_ID]) {
      expect(await gater.denyDialPeer!(peer)).toBe(false)
      expect(await gater.denyInboundEncryptedConnection!(peer, maConn)).toBe(false)
      expect(await gater.denyOutboundEncryptedConnection!(peer, maConn)).toBe(false)
    }
    expect(await gater.denyInboundRelayedConnection!(RELAY_ID, FRIEND)).toBe(false)
  })

  it('should follow the list as it changes: a peer unblocked is let through again', async () => {
    const blocked = new Set([BLOCKED.toString()])
    const gater = relayGater([multiaddr(RELAY)], () => blocked)
    expect(await gater.denyDialPeer!(BLOCKED)).toBe(true)
    blocked.delete(BLOCKED.toString())
    expect(await gater.denyDialPeer!(BLOCKED)).toBe(false)
    expect(await gater.denyInboundEncryptedConnection!(BLOCKED, maConn)).toBe(false)
  })
})
