import { peerIdOf } from '../shared/addresses.ts'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** How @libp2p/circuit-relay-v2 names its transport, the one that answers STOP requests. */
const CIRCUIT_TRANSPORT_TAG = '@libp2p/circuit-relay-v2-transport'

/** What this reaches of the transport: the library has no public hook for its STOP handler. */
interface CircuitTransport {
  [Symbol.toStringTag]?: string
  onStop?: (stream: Stream, connection: Connection) => Promise<void>
  reservationStore?: { hasReservation?: (peer: PeerId) => boolean }
}

interface NodeInternals {
  components?: { transportManager?: { getTransports?: () => unknown[] } }
}

export class StrangerStopError extends Error {
  override name = 'StrangerStopError'
}

/**
 * Only a relay that holds our reservation, or one of our own relays, may
 * hand us a relayed connection. A STOP request from any other peer made the
 * library take a reservation on that peer ("we were dialed via a relay we
 * have no reservation on") and advertise the addresses it answered with as
 * ours, which the locator then publishes to the DHT: any node we dial over
 * WebSockets (a link's relay hint, a relay a DHT record names) could do it,
 * keep us connected to it for good, and send our friends' lookups its way.
 * Installed before the node starts, when the transport registers its handler.
 */
export function refuseStrangerStops (node: Libp2p, relays: Multiaddr[]): void {
  const transport = (node as unknown as NodeInternals).components?.transportManager?.getTransports?.()
    .find(t => (t as CircuitTransport)[Symbol.toStringTag] === CIRCUIT_TRANSPORT_TAG) as CircuitTransport | undefined
  const onStop = transport?.onStop
  const store = transport?.reservationStore
  if (transport == null || typeof onStop !== 'function' || typeof store?.hasReservation !== 'function') {
    throw new Error('this @libp2p/circuit-relay-v2 version answers STOP requests elsewhere: they cannot be guarded')
  }
  const ours = new Set(relays.map(peerIdOf).filter(id => id != null))
  transport.onStop = async (stream, connection) => {
    const peer = connection.remotePeer
    if (!ours.has(peer.toString()) && store.hasReservation?.(peer) !== true) {
      stream.abort(new StrangerStopError(`${peer.toString()} holds no reservation of ours`))
      return
    }
    await onStop(stream, connection)
  }
}
