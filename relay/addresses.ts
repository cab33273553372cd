/**
 * The relay's public addresses: what browsers dial, derived from the host and
 * the real public port unless the operator announces addresses of their own.
 */
import { isIP } from 'node:net'
import { networkInterfaces } from 'node:os'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdOf } from '../src/lib/shared/addresses.ts'
import { MAX_RELAY_ADDRS } from '../src/lib/shared/relay-info.ts'
import { WEBSOCKET_PATH } from './http-constants.ts'

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::'])

/** The multiaddr transport tail that browsers dial: plain or TLS WebSockets. */
function wsTail (tls: boolean): string {
  return tls ? '/tls/ws' : '/ws'
}

function hostPart (host: string): string {
  const version = isIP(host)
  if (version === 4) return `/ip4/${host}`
  if (version === 6) return `/ip6/${host}`
  return `/dns4/${host}`
}

/**
 * Addresses a wildcard bind is reachable on: every interface of the matching
 * IP family, loopback only when there is nothing else (a remote browser told
 * to dial loopback would dial its own machine).
 */
function interfaceHosts (host: string): string[] {
  const family = host === '0.0.0.0' ? 'IPv4' : undefined
  const found: Array<{ address: string, internal: boolean }> = []
  for (const infos of Object.values(networkInterfaces())) {
    for (const info of infos ?? []) {
      // link-local IPv6 needs a zone id that a multiaddr cannot carry
      if ((family == null || info.family === family) && !info.address.startsWith('fe80:')) found.push(info)
    }
  }
  const external = found.filter(info => !info.internal)
  return (external.length > 0 ? external : found).map(info => info.address)
}

/** Announce addresses from the bound host and the real public port (not yet with /p2p). */
export function deriveAnnounce (host: string, port: number, tls: boolean): string[] {
  const hosts = WILDCARD_HOSTS.has(host) ? interfaceHosts(host) : [host]
  // browsers refuse a relay.json with more (a host with many interfaces)
  return hosts.slice(0, MAX_RELAY_ADDRS).map(h => `${hostPart(h)}/tcp/${port}${wsTail(tls)}`)
}

/** Appends /p2p/<peerId>, or checks an existing one is ours: announcing another peer's ID would be a lie. */
export function withPeerId (addrs: string[], peerId: string): string[] {
  return addrs.map(addr => {
    const ma = multiaddr(addr)
    const named = peerIdOf(ma)
    if (named == null) {
      return ma.encapsulate(`/p2p/${peerId}`).toString()
    }
    if (named !== peerId) {
      throw new Error(`the announce address ${addr} names another peer than this relay (${peerId})`)
    }
    return ma.toString()
  })
}

/** The address to print and to hand to tests: a wildcard bind is reachable on loopback. */
export function publicUrl (host: string, port: number, tls: boolean): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
  const bracketed = isIP(shown) === 6 ? `[${shown}]` : shown
  return `${tls ? 'https' : 'http'}://${bracketed}:${port}`
}

/**
 * The request targets clients send WebSocket upgrades to: WEBSOCKET_PATH, and
 * for an announced address with /http-path (a reverse proxy that routes a
 * path to the relay and passes it on) that path, spelled as a WebSocket
 * client puts it on the wire, for multiaddr-to-uri appends it to the URL as is.
 */
export function upgradeTargets (announce: readonly string[]): string[] {
  const targets = new Set([WEBSOCKET_PATH])
  for (const addr of announce) {
    for (const component of multiaddr(addr).getComponents()) {
      if (component.name !== 'http-path' || component.value == null) continue
      // the base is only there to be parsed against; a WebSocket client sends pathname and search
      const url = new URL(`ws://relay.invalid${component.value}`)
      targets.add(url.pathname + url.search)
    }
  }
  return [...targets]
}
