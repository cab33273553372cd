import { isPrivate } from '@libp2p/utils'
import { WebSockets } from '@multiformats/multiaddr-matcher'
import type { ConnectionGater } from '@libp2p/interface'
import { derivedFromList } from './known-relays.ts'
import type { Multiaddr } from '@multiformats/multiaddr'

const HOST_PROTOCOLS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6'])

/** host:port of a multiaddr's first transport hop, or undefined when it has none. */
export function hostPort (ma: Multiaddr): string | undefined {
  let host: string | undefined
  let port: string | undefined
  for (const c of ma.getComponents()) {
    if (host == null && HOST_PROTOCOLS.has(c.name)) host = c.value
    if (port == null && c.name === 'tcp') port = c.value
  }
  return host != null && port != null ? `${host}:${port}` : undefined
}

/**
 * libp2p's browser default refuses plain ws:// and private/loopback addresses,
 * which would rule out a relay on localhost or a LAN. This gater lets the
 * browser dial exactly the relays it knows (and circuit addresses through
 * them) and keeps refusing every other insecure or private address, so a peer
 * cannot make us probe the local network by advertising one. Given a function,
 * it asks it at each dial: the relays /relay.json lists change while the page runs.
 */
export function relayGater (relays: Multiaddr[] | (() => Multiaddr[])): ConnectionGater {
  const current = typeof relays === 'function' ? relays : () => relays
  const allowedHosts = derivedFromList(current, list => new Set(list.map(hostPort).filter((v): v is string => v != null)))
  return {
    denyDialMultiaddr: (ma: Multiaddr) => {
      const allowed = allowedHosts()
      const key = hostPort(ma)
      if (key != null && allowed.has(key)) return false
      return WebSockets.matches(ma) || isPrivate(ma) === true
    }
  }
}
