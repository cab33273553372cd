import type { IncomingMessage } from 'node:http'
import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import { describe, expect, it, vi } from 'vitest'
import { createUpgradeProxy } from '../../relay/upgrade-proxy.ts'

/** An upgrade request from `address`, on a socket that stays open until the test ends it. */
function upgradeFrom (address: string): { req: IncomingMessage, socket: PassThrough } {
  const socket = new PassThrough()
  const req = { url: '/', headers: { upgrade: 'websocket' }, socket: { remoteAddress: address } } as unknown as IncomingMessage
  return { req, socket }
}

interface Limits { max: number, maxUpgrading?: number, upgradeTimeoutMs?: number }

function proxyWithLimit (limits: number | Limits): { admit: (address: string) => PassThrough | undefined, refused: string[], limits: string[] } {
  const { max, maxUpgrading, upgradeTimeoutMs } = typeof limits === 'number' ? { max: limits } : limits
  const refused: string[] = []
  const refusedBy: string[] = []
  const admitted = new Set<PassThrough>()
  const proxy = createUpgradeProxy({
    maxConnectionsPerIp: max,
    maxUpgradingPerIp: maxUpgrading,
    upgradeTimeoutMs,
    trustProxy: false,
    onRefused: (limit, ip) => { refused.push(ip); refusedBy.push(limit) }
  })
  proxy.setTarget((_req, socket) => { admitted.add(socket as PassThrough) })
  return {
    admit (address) {
      const { req, socket } = upgradeFrom(address)
      proxy.handle(req, socket, Buffer.alloc(0))
      return admitted.has(socket) ? socket : undefined
    },
    refused,
    limits: refusedBy
  }
}

describe('upgrade proxy per-IP limit', () => {
  it('should count an IPv6 client by its /64, or one host could take any number of sockets', () => {
    const proxy = proxyWithLimit(2)
    expect(proxy.admit('2001:db8:1:2::1')).not.toBeUndefined()
    expect(proxy.admit('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).not.toBeUndefined()
    // the same /64, written out in full and with leading zeros
    expect(proxy.admit('2001:0db8:0001:0002:0000:0000:0000:0003')).toBeUndefined()
    expect(proxy.refused).toEqual(['2001:db8:1:2::/64'])
    // another network is another client
    expect(proxy.admit('2001:db8:1:3::1')).not.toBeUndefined()
  })

  it('should still count IPv4 and IPv4-mapped addresses per address', () => {
    const proxy = proxyWithLimit(1)
    expect(proxy.admit('198.51.100.1')).not.toBeUndefined()
    expect(proxy.admit('::ffff:198.51.100.1')).toBeUndefined()
    expect(proxy.admit('198.51.100.2')).not.toBeUndefined()
  })
})

describe('upgrade proxy: sockets of one address still setting up', () => {
  it('should refuse an address past its upgrades begun within the upgrade time, closed or not, whatever its other limit leaves', async () => {
    vi.useFakeTimers()
    try {
      const proxy = proxyWithLimit({ max: 64, maxUpgrading: 2, upgradeTimeoutMs: 10_000 })
      // silent sockets, each holding one of libp2p's pending slots for the whole upgrade time
      expect(proxy.admit('198.51.100.1')).not.toBeUndefined()
      const second = proxy.admit('198.51.100.1')
      expect(second).not.toBeUndefined()
      expect(proxy.admit('198.51.100.1')).toBeUndefined()
      expect(proxy.limits).toEqual(['upgrading_per_ip'])
      // other addresses are not held back by it
      expect(proxy.admit('198.51.100.2')).not.toBeUndefined()
      // one closes: it still counts, or opening and closing fast would not be counted at all
      const closed = once(second!, 'close')
      second?.destroy()
      await closed
      expect(proxy.admit('198.51.100.1')).toBeUndefined()
      // past the upgrade time, the ones still open are set up (or dropped by libp2p): they count only as connections
      vi.advanceTimersByTime(10_000)
      expect(proxy.admit('198.51.100.1')).not.toBeUndefined()
      expect(proxy.admit('198.51.100.1')).not.toBeUndefined()
    } finally {
      vi.useRealTimers()
    }
  })
})
