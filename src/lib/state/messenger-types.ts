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
