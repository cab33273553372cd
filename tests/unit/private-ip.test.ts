import { isPrivateIp } from '@libp2p/utils'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

// patches/@libp2p+utils+7.4.1.patch has @libp2p/utils test its private ranges
// with @chainsafe/netmask instead of netmask. It decides which addresses libp2p
// treats as private (dialing, and the addresses a node announces), so it is
// judged here against plain arithmetic on the same ranges, not against itself.
const PRIVATE_V4: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.31.196.0', 24], ['192.52.193.0', 24],
  ['192.88.99.0', 24], ['192.168.0.0', 16], ['192.175.48.0', 24], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['240.0.0.0', 4], ['255.255.255.255', 32]
]

const toNumber = (ip: string): number => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0)
const toDotted = (n: number): string => [24, 16, 8, 0].map(shift => (n >>> shift) & 255).join('.')

function inRanges (ip: string): boolean {
  const n = toNumber(ip)
  return PRIVATE_V4.some(([network, bits]) => {
    const size = 2 ** (32 - bits)
    const start = toNumber(network)
    return n >= start && n < start + size
  })
}

describe('private addresses, as libp2p tells them (patched to @chainsafe/netmask)', () => {
  it('should agree with the ranges at both ends of each and just outside them', () => {
    for (const [network, bits] of PRIVATE_V4) {
      const start = toNumber(network)
      const end = start + 2 ** (32 - bits) - 1
      for (const n of [start - 1, start, end, end + 1]) {
        if (n < 0 || n > 0xffffffff) continue
        expect(isPrivateIp(toDotted(n)), toDotted(n)).toBe(inRanges(toDotted(n)))
      }
    }
  })

  it('should agree with the ranges on any IPv4 address', () => {
    fc.assert(fc.property(fc.ipV4(), ip => isPrivateIp(ip) === inRanges(ip)), { numRuns: 5_000 })
  })

  it('should test an IPv4 address written inside IPv6 against the same ranges', () => {
    expect(isPrivateIp('::ffff:10.1.2.3')).toBe(true)
    expect(isPrivateIp('::ffff:0a01:0203')).toBe(true)
    expect(isPrivateIp('::ffff:8.8.8.8')).toBe(false)
    expect(isPrivateIp('::ffff:0808:0808')).toBe(false)
  })

  it('should not call a malformed address private or public', () => {
    expect(isPrivateIp('10.0.0')).toBeUndefined()
    expect(isPrivateIp('not an address')).toBeUndefined()
  })
})
