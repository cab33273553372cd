/**
 * What the circuit relay server does not tell anyone: which reservations it
 * granted or refused, and when it joined two peers. @libp2p/circuit-relay-v2
 * 4.2 emits no events for these, so we wrap two methods of this one server
 * instance (never the prototype, so other relays in the process are untouched).
 * If a library update renames them, the relay still runs and says so once;
 * the metrics test then fails, which is the signal to look here again.
 */
import type { PeerId } from '@libp2p/interface'
import type { RelayNode } from './node.ts'

/** protons hands the hop status over as its enum name ('OK', 'RESERVATION_REFUSED'); metrics and logs use it in lower case. */
function statusName (status: unknown): string {
  return String(status).toLowerCase()
}

export interface RelayEvents {
  onReservation: (peer: PeerId, status: string) => void
  onRelayedConnection: () => void
}

interface ReserveResult { status: unknown }
interface ServerInternals {
  reservationStore?: { reserve?: (peer: PeerId, ...rest: unknown[]) => ReserveResult }
  stopHop?: (...args: unknown[]) => Promise<unknown>
}

/** Returns false when the server's shape was not what this version expects. */
export function observeRelayServer (node: RelayNode, events: RelayEvents): boolean {
  const server = node.services.relay as unknown as ServerInternals
  const store = server.reservationStore
  const reserve = store?.reserve
  const stopHop = server.stopHop
  if (store == null || typeof reserve !== 'function' || typeof stopHop !== 'function') return false

  store.reserve = (peer: PeerId, ...rest: unknown[]): ReserveResult => {
    const result = reserve.call(store, peer, ...rest)
    events.onReservation(peer, statusName(result.status))
    return result
  }
  // stopHop hands back the destination's stream only when the circuit is made
  server.stopHop = async (...args: unknown[]): Promise<unknown> => {
    const stream = await stopHop.apply(server, args)
    if (stream != null) events.onRelayedConnection()
    return stream
  }
  return true
}
