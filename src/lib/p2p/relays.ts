import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { RelayInfo } from '../shared/relay-info.ts'

interface PageLocation {
  protocol: string
  hostname: string
  port: string
}

/**
 * The relay addresses to dial, best first. The page was loaded from the relay
 * (or from a proxy in front of it), so an address built from the page's own
 * origin reaches it whatever it announces; announced addresses follow.
 */
export function relayAddresses (info: RelayInfo, location: PageLocation): Multiaddr[] {
  const secure = location.protocol === 'https:'
  const host = location.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = location.port !== '' ? location.port : (secure ? '443' : '80')
  const family = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? 'ip4' : host.includes(':') ? 'ip6' : 'dns4'
  const fromOrigin = `/${family}/${host}/tcp/${port}/${secure ? 'tls/ws' : 'ws'}/p2p/${info.peerId}`
  const seen = new Set<string>()
  const addrs: Multiaddr[] = []
  for (const text of [fromOrigin, ...info.multiaddrs]) {
    try {
      const ma = multiaddr(text)
      if (!seen.has(ma.toString()) && ma.getComponents().some(c => c.name === 'p2p' && c.value === info.peerId)) {
        seen.add(ma.toString())
        addrs.push(ma)
      }
    } catch {
      // an announced address this browser cannot parse is of no use to it
    }
  }
  return addrs
}

/** The other relays of the same DHT that relay.json lists, parsed; ones this browser cannot parse are left out. */
export function otherRelayAddresses (info: RelayInfo): Multiaddr[] {
  const addrs: Multiaddr[] = []
  for (const text of info.relays) {
    try {
      const ma = multiaddr(text)
      if (ma.getComponents().some(c => c.name === 'p2p')) addrs.push(ma)
    } catch {
      // an address of another relay that this browser cannot parse is of no use to it
    }
  }
  return addrs
}

/** The relay a circuit address goes through (`<relay>/p2p/<id>/p2p-circuit/…`), or '' for an address that is none. */
export function circuitRelayId (ma: Multiaddr): string {
  const components = ma.getComponents()
  const at = components.findIndex(c => c.name === 'p2p-circuit')
  return at > 0 && components[at - 1].name === 'p2p' ? components[at - 1].value ?? '' : ''
}
