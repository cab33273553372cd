import type { RelayStatus } from '../p2p/relay-keeper.ts'

/**
 * How long the start must have been quiet (relay answered, no dial under
 * way) to count as over: a link's first message goes out once its dial is
 * done, and its delivery (the chat stream, the peer's write, the ack) takes
 * tens of milliseconds more, a few hundred on a slow phone.
 */
export const SETTLE_QUIET_MS = 1_000

/**
 * The longest the start's network work holds back what can wait for it: a
 * dial to a peer that is not there can take seconds, and the service
 * worker's first install must come anyway.
 */
export const SETTLE_MAX_MS = 10_000

// methods, not function properties: the keeper and the messenger name only their own event types
interface Emitter {
  addEventListener (type: string, listener: () => void): void
  removeEventListener (type: string, listener: () => void): void
}

/** the RelayKeeper: 'status' events */
export type RelayWatch = Emitter & { readonly status: RelayStatus }
/** the Messenger: a 'link' event whenever a dial starts or ends */
export type DialWatch = Emitter & { readonly dialsInProgress: number }

export interface SettleTimes {
  quietMs?: number
  maxMs?: number
}

/**
 * Calls `onSettled` once the start's network work is over: the relay has
 * answered (a reservation, a refusal, or none to be had) and no dial has been
 * under way for `quietMs`; or after `maxMs`, whatever is still going on.
 */
export function whenStartSettled (relay: RelayWatch, dials: DialWatch, onSettled: () => void, times: SettleTimes = {}): void {
  let quiet: ReturnType<typeof setTimeout> | undefined
  const check = (): void => {
    clearTimeout(quiet)
    const answered = relay.status !== 'connecting' && relay.status !== 'connected'
    if (answered && dials.dialsInProgress === 0) quiet = setTimeout(settle, times.quietMs ?? SETTLE_QUIET_MS)
  }
  const settle = (): void => {
    clearTimeout(quiet)
    clearTimeout(deadline)
    relay.removeEventListener('status', check)
    dials.removeEventListener('link', check)
    onSettled()
  }
  const deadline = setTimeout(settle, times.maxMs ?? SETTLE_MAX_MS)
  relay.addEventListener('status', check)
  dials.addEventListener('link', check)
  check()
}
