import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { peerIdsOf, type KnownRelays } from './known-relays.ts'

/** How @libp2p/circuit-relay-v2 names its transport, the one that makes reservations and answers STOP requests. */
const CIRCUIT_TRANSPORT_TAG = '@libp2p/circuit-relay-v2-transport'

type AddRelay = (peer: PeerId, type: 'discovered' | 'configured') => Promise<unknown>

/** What this reaches of the transport: the library has no public hook for either. */
interface CircuitTransport {
  [Symbol.toStringTag]?: string
  onStop?: (stream: Stream, connection: Connection) => Promise<void>
  reservationStore?: { hasReservation?: (peer: PeerId) => boolean, addRelay?: AddRelay }
}

interface NodeInternals {
  components?: { transportManager?: { getTransports?: () => unknown[] } }
}

/** A peer that is not one of our relays offered to relay for us. */
export class StrangerRelayError extends Error {
  override name = 'StrangerRelayError'
}

/**
 * Our reservation goes only to our relays, and only they hand us relayed
 * connections. The library takes a reservation on any peer we connect to that
 * serves the hop protocol while we hold none (a page just loaded, our relay
 * down), and on any peer that sends us a STOP request ("we were dialed via a
 * relay we have no reservation on"), then advertises the addresses that peer
 * answered with as ours, which the locator publishes to the DHT. Any node we
 * dial over WebSockets could do it: the relay a link's ?relay= hint names, or
 * one a stranger's signed DHT record names. It then kept us connected, had
 * friends' lookups sent its way, and with more than 16 addresses made every
 * later publication fail (sealLocation refuses them). Installed before the
 * node starts, when the transport registers its STOP handler. It reads
 * `relays` at each use: the other relays /relay.json lists change while the
 * page runs (our own stay as the page started with them).
 */
export function onlyOurRelays (node: Libp2p, relays: KnownRelays): void {
  const transport = (node as unknown as NodeInternals).components?.transportManager?.getTransports?.()
    .find(t => (t as CircuitTransport)[Symbol.toStringTag] === CIRCUIT_TRANSPORT_TAG) as CircuitTransport | undefined
  const onStop = transport?.onStop
  const store = transport?.reservationStore
  const addRelay = store?.addRelay
  if (transport == null || store == null || typeof onStop !== 'function' || typeof store.hasReservation !== 'function' || typeof addRelay !== 'function') {
    throw new Error('this @libp2p/circuit-relay-v2 version makes reservations elsewhere: they cannot be kept to our relays')
  }
  const own = peerIdsOf(relays.own)
  store.addRelay = async (peer, type) => {
    if (!relays.ids.has(peer.toString())) throw new StrangerRelayError(`${peer.toString()} is not one of our relays`)
    return await addRelay.call(store, peer, type)
  }
  // a relay with our reservation relays every friend's connection; one of our
  // own without it is the library's way back after a reservation was lost
  transport.onStop = async (stream, connection) => {
    const peer = connection.remotePeer
    if (!own.has(peer.toString()) && store.hasReservation?.(peer) !== true) {
      stream.abort(new StrangerRelayError(`${peer.toString()} holds no reservation of ours`))
      return
    }
    await onStop(stream, connection)
  }
}
