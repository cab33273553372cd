import { Backoff, defersOnGlare } from '../p2p/backoff.ts'

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
 * A connection must have lasted this long for its drop to start the back-off
 * over. One that opens and drops at once (a peer page that fails on load, a
 * path that never holds, a peer at its connection limit) would otherwise be
 * redialed every second for good; a conversation that ran for a while and
 * dropped (the peer reloaded) is redialed within a second.
 */
export const STABLE_MS = 5_000

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
  /** when the peer's current connection was first reported, until it drops (monotonic: the wall clock can be set back) */
  readonly #connectedAt = new Map<string, number>()

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
    const since = this.#connectedAt.get(peer)
    this.#connectedAt.delete(peer)
    if (since != null && performance.now() - since >= STABLE_MS) backoff.reset()
    this.#wait(peer, backoff.next() + (defersOnGlare(this.#self, peer) ? GLARE_DEFER_MS : 0))
  }

  /**
   * `peer` is connected: nothing waits to redial it, and once the connection
   * has lasted STABLE_MS its next drop starts from the shortest wait.
   */
  connected (peer: string): void {
    this.#cancel(peer)
    if (!this.#connectedAt.has(peer)) this.#connectedAt.set(peer, performance.now())
  }

  /**
   * Redials everyone waiting from the shortest wait: something changed that
   * makes a dial likely to work. `bothSides`: the change may reach the peer in
   * the same moment (the relay both use, or a shared network, is back), so
   * the side with the larger peer ID defers, as after a drop; a change of our
   * own (the tab shown again) redials at once.
   */
  now (bothSides: boolean): void {
    for (const peer of [...this.#waiting.keys()]) {
      this.#cancel(peer)
      this.#backoff.get(peer)?.reset()
      if (bothSides && defersOnGlare(this.#self, peer)) this.#wait(peer, GLARE_DEFER_MS)
      else this.#redial(peer)
    }
  }

  #wait (peer: string, ms: number): void {
    this.#waiting.set(peer, setTimeout(() => {
      this.#waiting.delete(peer)
      this.#redial(peer)
    }, ms))
  }

  #cancel (peer: string): void {
    clearTimeout(this.#waiting.get(peer))
    this.#waiting.delete(peer)
  }

  stop (): void {
    for (const timer of this.#waiting.values()) clearTimeout(timer)
    this.#waiting.clear()
  }
}
