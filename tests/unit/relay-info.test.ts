import { describe, expect, it } from 'vitest'
import { InvalidRelayInfoError, MAX_RELAY_ADDRS, parseRelayInfo } from '../../src/lib/shared/relay-info.ts'
import { otherRelayAddresses, relayAddresses } from '../../src/lib/p2p/relays.ts'

const ID = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'

describe('relay.json', () => {
  it('accepts a well-formed description and normalises ICE urls to lists', () => {
    const info = parseRelayInfo({
      peerId: ID,
      multiaddrs: [`/ip4/127.0.0.1/tcp/9090/ws/p2p/${ID}`],
      iceServers: [{ urls: 'stun:127.0.0.1:3478' }, { urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'c' }]
    })
    expect(info.iceServers).toEqual([{ urls: ['stun:127.0.0.1:3478'] }, { urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'c' }])
  })

  it('should reject malformed descriptions with a clear error', () => {
    expect(() => parseRelayInfo(null)).toThrow(InvalidRelayInfoError)
    expect(() => parseRelayInfo({ multiaddrs: [], iceServers: [] })).toThrow(/peerId/)
    expect(() => parseRelayInfo({ peerId: ID, multiaddrs: 'x', iceServers: [] })).toThrow(/multiaddrs/)
    expect(() => parseRelayInfo({ peerId: ID, multiaddrs: Array(MAX_RELAY_ADDRS + 1).fill('/x'), iceServers: [] })).toThrow(/multiaddrs/)
    expect(() => parseRelayInfo({ peerId: ID, multiaddrs: [], iceServers: [{ urls: 'http://evil' }] })).toThrow(/stun:/)
    expect(() => parseRelayInfo({ peerId: ID, multiaddrs: [], iceServers: [{ urls: [] }] })).toThrow(/urls/)
    expect(() => parseRelayInfo({ peerId: ID, multiaddrs: [], iceServers: [], relays: 'x' })).toThrow(/relays/)
    expect(() => parseRelayInfo({ peerId: ID, multiaddrs: [], iceServers: [], relays: Array(MAX_RELAY_ADDRS + 1).fill('/x') })).toThrow(/relays/)
  })

  it('should read the other relays of the DHT, and none from a relay that predates them', () => {
    const other = `/ip4/127.0.0.1/tcp/9091/ws/p2p/${ID}`
    expect(parseRelayInfo({ peerId: ID, multiaddrs: [], iceServers: [], relays: [other] }).relays).toEqual([other])
    expect(parseRelayInfo({ peerId: ID, multiaddrs: [], iceServers: [] }).relays).toEqual([])
  })

  it('should keep only other relays it can dial: parseable, with a peer ID', () => {
    const good = `/ip4/127.0.0.1/tcp/9091/ws/p2p/${ID}`
    const parsed = otherRelayAddresses({ peerId: ID, multiaddrs: [], iceServers: [], relays: [good, '/not/a/multiaddr', '/ip4/127.0.0.1/tcp/1/ws'] })
    expect(parsed.map(String)).toEqual([good])
  })
})

describe('relay addresses', () => {
  const info = { peerId: ID, multiaddrs: [`/ip4/10.0.0.5/tcp/9090/ws/p2p/${ID}`, '/not/a/multiaddr', `/ip4/1.2.3.4/tcp/1/ws/p2p/12D3KooWSomeoneElse`], iceServers: [], relays: [] }

  it('puts the address built from the page origin first, then announced ones', () => {
    const addrs = relayAddresses(info, { protocol: 'http:', hostname: '127.0.0.1', port: '9090' }).map(String)
    expect(addrs).toEqual([`/ip4/127.0.0.1/tcp/9090/ws/p2p/${ID}`, `/ip4/10.0.0.5/tcp/9090/ws/p2p/${ID}`])
  })

  it('uses secure websockets on the default port behind https, and dns for host names', () => {
    const [first] = relayAddresses(info, { protocol: 'https:', hostname: 'chat.example.org', port: '' }).map(String)
    expect(first).toBe(`/dns4/chat.example.org/tcp/443/tls/ws/p2p/${ID}`)
  })

  it('handles IPv6 page origins', () => {
    const [first] = relayAddresses(info, { protocol: 'http:', hostname: '[::1]', port: '9090' }).map(String)
    expect(first).toBe(`/ip6/::1/tcp/9090/ws/p2p/${ID}`)
  })
})
