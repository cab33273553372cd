/**
 * The other relays this one shares Peerlink's DHT with, as /relay.json lists
 * them. Browsers refuse to dial private and plain-ws addresses they were not
 * told about (so a peer cannot make them probe a LAN); this list is how a
 * browser learns which other relays it may dial to look a friend up, or to
 * reach a friend through that friend's relay.
 */
import { isPrivate } from '@libp2p/utils'
import { Circuit, WebSocketsSecure } from '@multiformats/multiaddr-matcher'
import { multiaddr } from '@multiformats/multiaddr'
import type { IdentifyResult, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { peerIdOf } from '../src/lib/shared/addresses.ts'
import { DHT_PROTOCOL, LISTED_RELAY_GONE_MS, MAX_LISTED_RELAYS, MAX_ADDRS_PER_LISTED_RELAY } from './constants.ts'
import type { RelayNode } from './node.ts'

export interface Federation {
  /** multiaddrs (each ending in /p2p/<relay>) of the relays known now, bootstrap ones first */
  list: () => string[]
  stop: () => void
}

function withPeer (ma: Multiaddr, peer: string): string {
  const text = ma.toString()
  return text.endsWith(`/p2p/${peer}`) ? text : `${text}/p2p/${peer}`
}

/** A DNS name that means this machine wherever it is looked up (browsers take *.localhost as loopback). */
function isLoopbackName (ma: Multiaddr): boolean {
  return ma.getComponents().some(c => c.name.startsWith('dns') && /(^|\.)localhost\.?$/i.test(c.value ?? ''))
}

/**
 * What a browser may be told to dial. On a public relay: public, not a
 * loopback name, and over TLS (browsers dial plain ws only where they were
 * told to, and an https page cannot use it anyway), as the DHT lists too.
 */
function listable (ma: Multiaddr, privateNetwork: boolean): boolean {
  if (Circuit.matches(ma)) return false
  return privateNetwork || (isPrivate(ma) !== true && !isLoopbackName(ma) && WebSocketsSecure.matches(ma))
}

/**
 * A peer counts as a relay when identify says it serves our DHT protocol:
 * browsers run the DHT as clients and never announce it. Anyone can say
 * that, so the list keeps the relays it learned first and makes room only
 * by dropping one no longer connected: fresh peer IDs cannot push out the
 * relays this one is connected to. With `trusted` (--trusted-relays), only
 * the peers it names are learned: an operator who runs every relay of the
 * federation need not let a stranger's node be offered to browsers at all.
 * Configured bootstrap relays come first.
 * A learned relay gone for LISTED_RELAY_GONE_MS is dropped (timed by the
 * monotonic clock: a wall clock set back would keep it listed).
 */
export function watchFederation (node: RelayNode, bootstrap: string[], privateNetwork: boolean, trusted?: ReadonlySet<string>): Federation {
  const self = node.peerId.toString()
  const configured = new Map<string, string[]>()
  for (const text of bootstrap) {
    const ma = multiaddr(text)
    const peer = peerIdOf(ma)
    if (peer == null || peer === self || !listable(ma, privateNetwork)) continue
    configured.set(peer, [...(configured.get(peer) ?? []), text].slice(0, MAX_ADDRS_PER_LISTED_RELAY))
  }
  /** goneSince: when its last connection closed (performance.now()), while it has none */
  const learned = new Map<string, { id: PeerId, addrs: string[], goneSince?: number }>()

  const onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols, listenAddrs } = evt.detail
    const peer = peerId.toString()
    if (peer === self || !protocols.includes(DHT_PROTOCOL)) return
    if (trusted != null && !trusted.has(peer) && !configured.has(peer)) return
    const addrs = listenAddrs
      .filter(ma => listable(ma, privateNetwork))
      .slice(0, MAX_ADDRS_PER_LISTED_RELAY)
      .map(ma => withPeer(ma, peer))
    if (addrs.length === 0) return
    if (!learned.has(peer) && learned.size >= MAX_LISTED_RELAYS) {
      const gone = [...learned].find(([, entry]) => node.getConnections(entry.id).length === 0)?.[0]
      if (gone == null) return
      learned.delete(gone)
    }
    // a relay seen again keeps its place
    learned.set(peer, { id: peerId, addrs })
  }
  const onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const entry = learned.get(evt.detail.toString())
    if (entry != null) entry.goneSince = performance.now()
  }
  const onConnect = (evt: CustomEvent<PeerId>): void => {
    const entry = learned.get(evt.detail.toString())
    if (entry != null) delete entry.goneSince
  }
  node.addEventListener('peer:identify', onIdentify)
  node.addEventListener('peer:disconnect', onDisconnect)
  node.addEventListener('peer:connect', onConnect)

  return {
    list () {
      const now = performance.now()
      for (const [peer, { goneSince }] of learned) {
        if (goneSince != null && now - goneSince >= LISTED_RELAY_GONE_MS) learned.delete(peer)
      }
      const out: string[] = []
      for (const addrs of configured.values()) out.push(...addrs)
      for (const [peer, { addrs }] of learned) {
        if (!configured.has(peer)) out.push(...addrs)
      }
      return out.slice(0, MAX_LISTED_RELAYS)
    },
    stop () {
      node.removeEventListener('peer:identify', onIdentify)
      node.removeEventListener('peer:disconnect', onDisconnect)
      node.removeEventListener('peer:connect', onConnect)
    }
  }
}
