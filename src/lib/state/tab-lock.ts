/**
 * One libp2p node per browser profile: two tabs running the same peer ID
 * would fight over the relay reservation and split the conversation between
 * them. The tab holding this Web Lock runs the node; the others wait for it.
 */
export const NODE_LOCK = 'peerlink-node'

export interface TabLockOptions {
  /** another tab holds the lock; this one waits for it */
  onWaiting: () => void
  /** another tab took the lock away from this one */
  onLost: () => void
  /** take the lock from the tab holding it instead of waiting */
  steal?: boolean
}

/** Resolves once this tab holds the lock. Browsers without Web Locks resolve at once. */
export async function acquireTabLock (options: TabLockOptions): Promise<void> {
  const locks = globalThis.navigator?.locks
  if (locks == null) return
  const { promise: acquired, resolve } = Promise.withResolvers<void>()
  // held for the life of the page: released when the tab closes, or taken by another tab
  const forever = new Promise<never>(() => {})
  const request = (lockOptions: LockOptions): void => {
    locks.request(NODE_LOCK, lockOptions, async lock => {
      if (lock == null) {
        // another tab has it: wait in line, it comes to us when that tab closes
        options.onWaiting()
        request({})
        return
      }
      resolve()
      await forever
    }).catch((err: Error) => {
      // a steal by another tab rejects our request with AbortError
      if (err.name === 'AbortError') options.onLost()
    })
  }
  request(options.steal === true ? { steal: true } : { ifAvailable: true })
  await acquired
}

/**
 * "Use Peerlink here" takes the lock and reloads; the reload lets go of it,
 * and a third tab waiting in line would get it first. This tab's storage
 * (not shared with other tabs) says to take it again after the reload.
 */
const TAKEOVER_KEY = 'peerlink:take-over'

export function askTakeOver (): void {
  try {
    sessionStorage.setItem(TAKEOVER_KEY, '1')
  } catch {
    // storage disabled: the reload still takes the lock, unless another tab waits in line
  }
}

/** Whether this tab was reloaded to take over (asked once: the answer is used up). */
export function takeOverAsked (): boolean {
  try {
    const asked = sessionStorage.getItem(TAKEOVER_KEY) != null
    sessionStorage.removeItem(TAKEOVER_KEY)
    return asked
  } catch {
    return false
  }
}
