import type { ProbeAnswer } from './reservation-probe.ts'
import type { Connection } from '@libp2p/interface'

/**
 * Asks a relay for a reservation and reads its answer (reservation-probe.ts),
 * with the probe's code, its hop protocol messages among them, loaded on the
 * first ask: it is needed only once a relay is slow to grant one (full, or
 * while we are away from our own), never for a page's first reservation, and
 * the first page would otherwise carry it. Never throws: code that cannot be
 * loaded (no network, no cached copy) is no answer, as a relay's silence is.
 */
export async function askForReservation (conn: Connection): Promise<ProbeAnswer> {
  try {
    const { probeReservation } = await import('./reservation-probe.ts')
    return await probeReservation(conn)
  } catch {
    return 'no-answer'
  }
}
