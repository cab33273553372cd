import { multiaddr } from '@multiformats/multiaddr'
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
