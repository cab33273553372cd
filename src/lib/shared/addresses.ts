/**
 * Reading multiaddrs, the same way in the relay and the browser.
 */
import type { PeerInfo } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * The peer ID a multiaddr names: its last /p2p component (a circuit address
 * `<relay>/p2p/<relay id>/p2p-circuit/p2p/<peer id>` names the peer behind the
 * relay), or undefined when it names none.
 */
export function peerIdOf (ma: Multiaddr): string | undefined {
  return ma.getComponents().findLast(c => c.name === 'p2p')?.value
}

/**
 * Wraps a kad-dht peerInfoMapper to leave out circuit addresses. A DHT server
 * in Peerlink is a relay, reachable at an address of its own; a peer with
 * none but circuit addresses is a browser, whatever it says it serves, and
 * kad-dht neither takes a peer left without addresses in its routing table
 * nor names it to others (relay/dht-requests.ts says why that matters).
 */
export function dhtServersOnly (mapper: (info: PeerInfo) => PeerInfo): (info: PeerInfo) => PeerInfo {
  return info => {
    const mapped = mapper(info)
    return { ...mapped, multiaddrs: mapped.multiaddrs.filter(ma => !ma.getComponents().some(c => c.name === 'p2p-circuit')) }
  }
}
