import type { RelayStatus } from '../p2p/relay-keeper.ts'

/**
 * The longest the start's network work (the relay's answer, the first dials)
 * holds back what can wait for it: a dial to a peer that is not there can
 * take seconds, and the service worker's first install must come anyway.
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

/**
 * Calls `onSettled` once the start's network work is over: the relay has
 * answered (a reservation, a refusal, or none to be had) and no dial is under
 * way; or after `maxMs`, whatever is still going on.
 */
export function whenStartSettled (relay: RelayWatch, dials: DialWatch, onSettled: () => void, maxMs = SETTLE_MAX_MS): void {
  const check = (): void => {
    const answered = relay.status !== 'connecting' && relay.status !== 'connected'
    if (answered && dials.dialsInProgress === 0) settle()
  }
  const settle = (): void => {
    clearTimeout(timer)
    relay.removeEventListener('status', check)
    dials.removeEventListener('link', check)
    onSettled()
  }
  const timer = setTimeout(settle, maxMs)
  relay.addEventListener('status', check)
  dials.addEventListener('link', check)
  check()
}
