import { isPrivate } from '@libp2p/utils'
import { WebSockets } from '@multiformats/multiaddr-matcher'
import type { ConnectionGater, PeerId } from '@libp2p/interface'
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
export function relayGater (relays: Multiaddr[] | (() => Multiaddr[]), blocked: () => ReadonlySet<string> = () => NONE): ConnectionGater {
  const current = typeof relays === 'function' ? relays : () => relays
  const allowedHosts = derivedFromList(current, list => new Set(list.map(hostPort).filter((v): v is string => v != null)))
  return {
    ...blockedPeerGater(blocked),
    denyDialMultiaddr: (ma: Multiaddr) => {
      const allowed = allowedHosts()
      const key = hostPort(ma)
      if (key != null && allowed.has(key)) return false
      return WebSockets.matches(ma) || isPrivate(ma) === true
    }
  }
}

const NONE: ReadonlySet<string> = new Set()

/**
 * Refuses the peers the user blocked (`blocked()`, peer IDs in string form,
 * read at each call: the user blocks and unblocks while the node runs) at
 * every hook that names the remote peer: our dials to them, and connections
 * either way once their peer ID is known, relayed ones as soon as the relay
 * says whose they are, before any handshake. Connections open when the peer
 * was blocked are the caller's to close: a gater is not asked again.
 */
export function blockedPeerGater (blocked: () => ReadonlySet<string>): ConnectionGater {
  const refused = (peer: PeerId): boolean => blocked().has(peer.toString())
  return {
    denyDialPeer: refused,
    denyInboundRelayedConnection: (_relay: PeerId, remote: PeerId) => refused(remote),
    denyInboundEncryptedConnection: refused,
    denyOutboundEncryptedConnection: refused
  }
}
