import type { IncomingMessage } from 'node:http'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createUpgradeProxy } from '../../relay/upgrade-proxy.ts'

/** An upgrade request from `address`, on a socket that stays open until the test ends it. */
function upgradeFrom (address: string): { req: IncomingMessage, socket: PassThrough } {
  const socket = new PassThrough()
  const req = { url: '/', headers: { upgrade: 'websocket' }, socket: { remoteAddress: address } } as unknown as IncomingMessage
  return { req, socket }
}

function proxyWithLimit (max: number): { admit: (address: string) => boolean, refused: string[] } {
  const refused: string[] = []
  const admitted = new Set<PassThrough>()
  const proxy = createUpgradeProxy({ maxConnectionsPerIp: max, trustProxy: false, onRefused: (_limit, ip) => { refused.push(ip) } })
  proxy.setTarget((_req, socket) => { admitted.add(socket as PassThrough) })
  return {
    admit (address) {
      const { req, socket } = upgradeFrom(address)
      proxy.handle(req, socket, Buffer.alloc(0))
      return admitted.has(socket)
    },
    refused
  }
}

describe('upgrade proxy per-IP limit', () => {
  it('should count an IPv6 client by its /64, or one host could take any number of sockets', () => {
    const proxy = proxyWithLimit(2)
    expect(proxy.admit('2001:db8:1:2::1')).toBe(true)
    expect(proxy.admit('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe(true)
    // the same /64, written out in full and with leading zeros
    expect(proxy.admit('2001:0db8:0001:0002:0000:0000:0000:0003')).toBe(false)
    expect(proxy.refused).toEqual(['2001:db8:1:2::/64'])
    // another network is another client
    expect(proxy.admit('2001:db8:1:3::1')).toBe(true)
  })

  it('should still count IPv4 and IPv4-mapped addresses per address', () => {
    const proxy = proxyWithLimit(1)
    expect(proxy.admit('198.51.100.1')).toBe(true)
    expect(proxy.admit('::ffff:198.51.100.1')).toBe(false)
    expect(proxy.admit('198.51.100.2')).toBe(true)
  })
})
