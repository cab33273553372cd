import { pbStream } from '@libp2p/utils'
import { HopMessage, Status } from './pb/hop.ts'
import type { Connection } from '@libp2p/interface'

/** circuit relay v2's hop protocol, where reservations are asked for. */
export const HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'

/** A relay answers a RESERVE at once; a probe that takes longer learns nothing useful. */
export const PROBE_TIMEOUT_MS = 5_000

/** A hop answer is a few bytes, plus addresses and limits; nothing legitimate comes near this. */
const MAX_HOP_MESSAGE_BYTES = 4096

/** What a relay said when asked for a reservation. */
export type ProbeAnswer = 'granted' | 'full' | 'refused' | 'no-answer'

/**
 * Asks the relay for a reservation ourselves and reads its answer. libp2p's
 * circuit transport asks too but only logs a refusal, so without this a full
 * relay looks the same as a slow one: the app would wait instead of saying so.
 * A granted reservation here is the same one the transport would have got.
 */
export async function probeReservation (conn: Connection): Promise<ProbeAnswer> {
  const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS)
  let stream
  try {
    stream = await conn.newStream(HOP_PROTOCOL, { signal })
  } catch {
    return 'no-answer'
  }
  try {
    const hop = pbStream(stream, { maxDataLength: MAX_HOP_MESSAGE_BYTES }).pb(HopMessage)
    await hop.write({ type: HopMessage.Type.RESERVE }, { signal })
    const answer = await hop.read({ signal })
    await stream.close({ signal }).catch(() => {})
    return answerOf(answer.status)
  } catch (err) {
    stream.abort(err as Error)
    return 'no-answer'
  }
}

export function answerOf (status: Status | undefined): ProbeAnswer {
  switch (status) {
    case Status.OK: return 'granted'
    case Status.RESERVATION_REFUSED:
    case Status.RESOURCE_LIMIT_EXCEEDED: return 'full'
    case Status.PERMISSION_DENIED: return 'refused'
    default: return 'no-answer'
  }
}
