import type { Blocklist } from './blocklist.ts'
import type { DeliveryEvents } from './delivery.ts'
import type { DialsOptions } from './dials.ts'

export interface MessengerEvents extends DeliveryEvents {
  /** connections to this peer changed, or a dial started or ended */
  link: CustomEvent<{ peer: string }>
}

export interface MessengerOptions extends DialsOptions {
  /** the peers the user blocked, which the node's gater reads too */
  blocklist: Blocklist
  isReading: (peer: string) => boolean
  name: () => string
  readReceipts: () => boolean
}

/** What the messenger has counted since it started, for the diagnostics page. */
export interface MessengerCounts {
  dials: number
  /** dials to a peer after a drop or a failed dial */
  redials: number
  /** connections found dead (no answer to pings, or a send that failed) and replaced */
  deadConnections: number
  resends: number
  /** copies of messages stored already that arrived again */
  duplicates: number
  /** frames turned away because their peer sent faster than this page could handle (InboundBudget) */
  refusedFrames: number
  /** frames that could not be read, each of which reset its stream (UnreadableFrames) */
  unreadableFrames: number
}
