/**
 * Where the relay opens the STOP stream of a hop (the leg from the relay to
 * the peer being dialed). @libp2p/circuit-relay-v2 4.2 takes the first
 * connection the connection manager lists for that peer, which can be one
 * already on its way out: its muxer closed (the relay's ping to a slow peer
 * failed, or the peer went away) while its socket still waits to close. The
 * stream cannot open there, and the library answers whatever went wrong with
 * MALFORMED_MESSAGE, which blames the dialer's request. Under the relay
 * benchmark's full load that sent every probe dial back with it in about one
 * run of six (docs/performance.md).
 *
 * So the stream is tried on each of the peer's open connections in turn, and
 * when none can carry it the hop ends as the library ends a STOP request the
 * peer did not answer: CONNECTION_FAILED. Patched on this one server instance,
 * as relay-events.ts does.
 */
import type { AbortOptions, Connection, Libp2p } from '@libp2p/interface'

interface StopHopInit { connection: Connection, [key: string]: unknown }
type StopHop = (init: StopHopInit, options?: AbortOptions) => Promise<unknown>
interface ServerInternals { stopHop?: StopHop }

/** Returns false when the server's shape was not what this version expects. */
export function stopOverOpenConnections (node: Libp2p, server: unknown, onFailed: (connection: Connection, err: Error) => void): boolean {
  const internals = server as ServerInternals
  const stopHop = internals.stopHop
  if (typeof stopHop !== 'function') return false
  internals.stopHop = async (init: StopHopInit, options?: AbortOptions): Promise<unknown> => {
    const candidates = new Set([init.connection, ...node.getConnections(init.connection.remotePeer)])
    for (const connection of candidates) {
      if (connection.status !== 'open') continue
      try {
        return await stopHop.call(internals, { ...init, connection }, options)
      } catch (err) {
        // the hop's own time is up: no other connection would do better
        if (options?.signal?.aborted === true) throw err
        onFailed(connection, err as Error)
      }
    }
    // the library's answer when the peer cannot be reached: CONNECTION_FAILED
    return undefined
  }
  return true
}
