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
  /**
   * This tab can no longer run the node (its storage or its identity went
   * out of date, or its code: another tab took a new version): aborting lets go of the lock, or leaves the line while waiting
   * for it, so the tab of that version runs the node. The caller stops its
   * node first: the lock is what keeps two nodes of one peer ID apart.
   */
  signal?: AbortSignal
}

/**
 * Resolves once this tab holds the lock; never, when the signal aborts first.
 * Browsers without Web Locks resolve at once.
 */
export async function acquireTabLock (options: TabLockOptions): Promise<void> {
  const locks = globalThis.navigator?.locks
  if (locks == null) return
  const { signal } = options
  const { promise: acquired, resolve } = Promise.withResolvers<void>()
  // held for the life of the page: released when the tab closes, taken by another tab, or given up (signal)
  const held = new Promise<void>(release => { signal?.addEventListener('abort', () => { release() }, { once: true }) })
  const request = (lockOptions: LockOptions): void => {
    locks.request(NODE_LOCK, lockOptions, async lock => {
      if (signal?.aborted === true) return
      if (lock == null) {
        // another tab has it: wait in line, it comes to us when that tab closes;
        // only a request that waits can be withdrawn (Web Locks refuse a signal with ifAvailable or steal)
        options.onWaiting()
        request(signal != null ? { signal } : {})
        return
      }
      resolve()
      await held
    }).catch((err: Error) => {
      // given up: the line was left on purpose
      if (signal?.aborted === true) return
      // a steal by another tab rejects our request with AbortError
      if (err.name === 'AbortError') options.onLost()
    })
  }
  request(options.steal === true ? { steal: true } : { ifAvailable: true })
  await acquired
}

/**
 * This tab's place with the node lock over its life: waiting in line for it,
 * holding it, or out of it for good. The session decides what the page says
 * at each turn; this keeps what a start under way, a halt and leaving the
 * line need to know about the lock in one place.
 */
export class NodeClaim {
  /** settled once this tab knows whether it runs the node (Session.runsHere) */
  readonly #placed = Promise.withResolvers<boolean>()
  /** whether this tab got the node lock */
  #holds = false
  /** whether this tab waited in line for the lock (another tab ran the node meanwhile) */
  #waited = false
  /** gives up the node lock (or the place in line for it) once this tab's storage is gone */
  readonly #giveUp = new AbortController()

  /** true once this tab holds the lock, false as soon as it waits in line for it */
  get placed (): Promise<boolean> { return this.#placed.promise }
  get holds (): boolean { return this.#holds }
  get waited (): boolean { return this.#waited }
  get givenUp (): boolean { return this.#giveUp.signal.aborted }

  /**
   * Resolves once this tab holds the lock (taking it, when this tab was
   * reloaded to take over); never, once given up first. `onWaiting`: another
   * tab holds it; `onLost`: another tab took it away.
   */
  async take (onWaiting: () => void, onLost: () => void): Promise<void> {
    await acquireTabLock({
      steal: takeOverAsked(),
      onWaiting: () => {
        this.#waited = true
        this.#placed.resolve(false)
        onWaiting()
      },
      onLost,
      signal: this.#giveUp.signal
    })
    this.#holds = true
  }

  /** This tab runs the node: what waited to know settles. */
  runsHere (): void { this.#placed.resolve(true) }

  /** Lets go of the lock, or leaves the line for it (see TabLockOptions.signal). */
  giveUp (): void { this.#giveUp.abort() }
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
