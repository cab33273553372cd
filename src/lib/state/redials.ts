import { Backoff } from '../p2p/backoff.ts'

/** Redial a peer we want to reach soon after it drops (a reload takes a second or two)… */
export const REDIAL_MIN_MS = 1_000
/** …and never more often than this while it stays away. */
export const REDIAL_MAX_MS = 30_000
/**
 * When a connection drops, both sides want it back. Two WebRTC dials crossing
 * in the relay can both fail, so the side with the larger peer ID waits this
 * much longer before redialing and usually finds itself dialed already.
 */
export const GLARE_DEFER_MS = 1_500

/**
 * The redials of peers that dropped or could not be reached: one waiting
 * redial per peer, after a jittered back-off that grows with each failure and
 * starts over once the peer is connected again.
 */
export class Redials {
  readonly #self: string
  readonly #redial: (peer: string) => void
  readonly #backoff = new Map<string, Backoff>()
  readonly #waiting = new Map<string, ReturnType<typeof setTimeout>>()

  /** `self`: our own peer ID (it settles who defers on glare); `redial` dials the peer again. */
  constructor (self: string, redial: (peer: string) => void) {
    this.#self = self
    this.#redial = redial
  }

  /** A dial to `peer` now follows a drop or a failure (diagnostics count it as a redial). */
  failedBefore (peer: string): boolean {
    return this.#backoff.has(peer)
  }

  isWaiting (peer: string): boolean {
    return this.#waiting.has(peer)
  }

  /** Redials `peer` after its next back-off step, unless a redial is already waiting. */
  schedule (peer: string): void {
    if (this.#waiting.has(peer)) return
    let backoff = this.#backoff.get(peer)
    if (backoff == null) {
      backoff = new Backoff({ minMs: REDIAL_MIN_MS, maxMs: REDIAL_MAX_MS })
      this.#backoff.set(peer, backoff)
    }
    const defer = this.#self > peer ? GLARE_DEFER_MS : 0
    this.#waiting.set(peer, setTimeout(() => {
      this.#waiting.delete(peer)
      this.#redial(peer)
    }, backoff.next() + defer))
  }

  /** `peer` is connected: nothing waits to redial it, and its next drop starts from the shortest wait. */
  connected (peer: string): void {
    clearTimeout(this.#waiting.get(peer))
    this.#waiting.delete(peer)
    this.#backoff.get(peer)?.reset()
  }

  /** Redials everyone waiting at once, not at their next back-off step. */
  now (): void {
    for (const peer of [...this.#waiting.keys()]) {
      this.connected(peer)
      this.#redial(peer)
    }
  }

  stop (): void {
    for (const timer of this.#waiting.values()) clearTimeout(timer)
    this.#waiting.clear()
  }
}
