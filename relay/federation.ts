/**
 * The other relays this one shares Peerlink's DHT with, as /relay.json lists
 * them. Browsers refuse to dial private and plain-ws addresses they were not
 * told about (so a peer cannot make them probe a LAN); this list is how a
 * browser learns which other relays it may dial to look a friend up, or to
 * reach a friend through that friend's relay.
 */
import { isPrivate } from '@libp2p/utils'
import { Circuit } from '@multiformats/multiaddr-matcher'
import { multiaddr } from '@multiformats/multiaddr'
import type { IdentifyResult } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { DHT_PROTOCOL, MAX_LISTED_RELAYS, MAX_ADDRS_PER_LISTED_RELAY } from './constants.ts'
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

/**
 * A peer counts as a relay when identify says it serves our DHT protocol:
 * browsers run the DHT as clients and never announce it. On a public relay
 * only public addresses are listed, as the DHT itself does.
 */
export function watchFederation (node: RelayNode, bootstrap: string[], privateNetwork: boolean): Federation {
  const self = node.peerId.toString()
  const configured = new Map<string, string[]>()
  for (const text of bootstrap) {
    const peer = multiaddr(text).getComponents().findLast(c => c.name === 'p2p')?.value
    if (peer == null || peer === self) continue
    configured.set(peer, [...(configured.get(peer) ?? []), text].slice(0, MAX_ADDRS_PER_LISTED_RELAY))
  }
  const learned = new Map<string, string[]>()

  const onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols, listenAddrs } = evt.detail
    const peer = peerId.toString()
    if (peer === self || !protocols.includes(DHT_PROTOCOL)) return
    const addrs = listenAddrs
      .filter(ma => !Circuit.matches(ma) && (privateNetwork || isPrivate(ma) !== true))
      .slice(0, MAX_ADDRS_PER_LISTED_RELAY)
      .map(ma => withPeer(ma, peer))
    if (addrs.length === 0) return
    // the newest first, so when the list is full the relays seen long ago drop out
    learned.delete(peer)
    learned.set(peer, addrs)
    while (learned.size > MAX_LISTED_RELAYS) learned.delete(learned.keys().next().value as string)
  }
  node.addEventListener('peer:identify', onIdentify)

  return {
    list () {
      const out: string[] = []
      for (const addrs of configured.values()) out.push(...addrs)
      for (const [peer, addrs] of [...learned].reverse()) {
        if (!configured.has(peer)) out.push(...addrs)
      }
      return out.slice(0, MAX_LISTED_RELAYS)
    },
    stop () {
      node.removeEventListener('peer:identify', onIdentify)
    }
  }
}
