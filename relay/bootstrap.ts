/**
 * Keeps this relay connected to the relays it was told about (--bootstrap),
 * which is how relays meet in the DHT. libp2p redials a keep-alive peer only
 * a few times after it drops; a bootstrap relay that is down for longer (an
 * upgrade, a reboot) would never be joined again, and two communities would
 * stay split until someone restarted this relay too.
 */
import { KEEP_ALIVE } from '@libp2p/interface'
import type { Libp2p } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { peerIdOf } from '../src/lib/shared/addresses.ts'
import { BOOTSTRAP_REDIAL_MS } from './constants.ts'
import type { Logger } from './logger.ts'

interface BootstrapPeer { id: string, addr: Multiaddr }

/** Dials every bootstrap relay now and again every BOOTSTRAP_REDIAL_MS while it is not connected; stops with the node. */
export function keepBootstrapped (node: Libp2p, bootstrap: string[], log: Logger): void {
  const self = node.peerId.toString()
  const peers: BootstrapPeer[] = []
  for (const text of bootstrap) {
    const addr = multiaddr(text)
    const id = peerIdOf(addr)
    if (id == null || id === self) continue
    peers.push({ id, addr })
  }
  if (peers.length === 0) return
  const dialing = new Set<string>()
  const down = new Set<string>()

  const dial = (peer: BootstrapPeer): void => {
    if (dialing.has(peer.id) || node.status !== 'started') return
    if (node.getConnections(peerIdFromString(peer.id)).length > 0) return
    dialing.add(peer.id)
    // not awaited by the caller: one relay that is down must not hold up this one's start
    node.dial(peer.addr).then(
      () => {
        down.delete(peer.id)
        log.info('joined bootstrap relay', { peer: peer.id })
      },
      (err: Error) => {
        // say it once per outage, not every round
        if (!down.has(peer.id)) log.warn('bootstrap relay not reachable yet; redialing', { addr: peer.addr.toString(), err, everyMs: BOOTSTRAP_REDIAL_MS })
        down.add(peer.id)
      }
    ).finally(() => { dialing.delete(peer.id) })
  }

  for (const peer of peers) {
    node.peerStore.merge(peerIdFromString(peer.id), {
      multiaddrs: [peer.addr],
      // keep-alive: the connection manager never prunes it and redials it at once when it drops
      tags: { [KEEP_ALIVE]: { value: 1 } }
    }).then(() => { dial(peer) }, (err: Error) => { log.error('bootstrap peer ignored', { addr: peer.addr.toString(), err }) })
  }
  const timer = setInterval(() => { for (const peer of peers) dial(peer) }, BOOTSTRAP_REDIAL_MS)
  // the relay's process must be free to exit on its own
  timer.unref?.()
  node.addEventListener('stop', () => { clearInterval(timer) }, { once: true })
}
