/**
 * Reading multiaddrs, the same way in the relay and the browser.
 */
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * The peer ID a multiaddr names: its last /p2p component (a circuit address
 * `<relay>/p2p/<relay id>/p2p-circuit/p2p/<peer id>` names the peer behind the
 * relay), or undefined when it names none.
 */
export function peerIdOf (ma: Multiaddr): string | undefined {
  return ma.getComponents().findLast(c => c.name === 'p2p')?.value
}
