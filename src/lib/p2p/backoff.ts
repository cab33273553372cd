/**
 * Jittered exponential back-off. Jitter spreads the reconnects of many
 * browsers after a relay restart, so they do not all arrive in the same second.
 */
export interface BackoffOptions {
  /** first delay */
  minMs: number
  /** the delay never grows past this */
  maxMs: number
  /** each failure multiplies the delay by this */
  factor?: number
  /** a delay is drawn from [delay * (1 - jitter), delay] */
  jitter?: number
  random?: () => number
}

export class Backoff {
  readonly #options: Required<BackoffOptions>
  #attempt = 0

  constructor (options: BackoffOptions) {
    this.#options = { factor: 2, jitter: 0.5, random: Math.random, ...options }
  }

  /** the delay before the next attempt; each call counts as one more failure */
  next (): number {
    const { minMs, maxMs, factor, jitter, random } = this.#options
    const ceiling = Math.min(maxMs, minMs * factor ** this.#attempt)
    this.#attempt++
    return Math.round(ceiling * (1 - jitter * random()))
  }

  reset (): void {
    this.#attempt = 0
  }

  get attempts (): number {
    return this.#attempt
  }
}

/**
 * When both ends of a conversation are about to retry the same thing at the
 * same moment (a redial after a drop, an upgrade after the direct path died),
 * their attempts cross and can both fail or both succeed twice over. The end
 * whose peer ID sorts higher holds back and usually finds the other's attempt
 * has done the work.
 */
export function defersOnGlare (self: string, peer: string): boolean {
  return self > peer
}
