import { Backoff } from '../p2p/backoff.ts'
import type { RelayInfo } from '../shared/relay-info.ts'
import type { RelayStatus } from '../p2p/relay-keeper.ts'

/**
 * How often a running node reads /relay.json again. The relay lists another
 * relay only once it has met it and drops one 10 minutes after it went
 * (LISTED_RELAY_GONE_MS), and TURN credentials (12 hours) are fetched anew by
 * IceServers before they expire, so the list matters most while our own relay
 * is down, which asks at once (below). Half an hour keeps a page open for
 * days within one list of the relay's own, for 48 small requests a day per tab.
 */
export const RELAY_REFRESH_INTERVAL_MS = 30 * 60_000
/**
 * Each wait is drawn from the last quarter of the interval and below, so tabs
 * that started together (a relay restart reconnects them all within seconds,
 * an update reloads them) do not all ask at the same moment forever after.
 */
export const RELAY_REFRESH_JITTER = 0.25
/**
 * Never sooner than this after the last fetch, whatever asks: a node that
 * loses its relays over and over (a flapping network) must not turn into a
 * stream of requests to a relay that may be struggling already.
 */
export const RELAY_REFRESH_MIN_MS = 60_000
/**
 * While every relay is lost, the list is asked again with back-off, from
 * RELAY_REFRESH_MIN_MS up to this: the relay that serves /relay.json is
 * usually the one that is down, and it answers again on its own time.
 */
export const RELAY_REFRESH_LOST_MAX_MS = 10 * 60_000

export interface RelayRefreshOptions {
  /** the live /relay.json (and keep it for the next start), or throw */
  fetch: () => Promise<RelayInfo>
  /** puts a fresh description to use (relay-update.ts) */
  apply: (info: RelayInfo) => void
  /** the app's debug log: a failed refresh is no error the user needs to see */
  log: (message: string) => void
  random?: () => number
  /** a monotonic clock, in ms */
  now?: () => number
}

/**
 * Reads /relay.json again while the node runs, so that a page left open for
 * days learns of relays that joined, stops counting on relays that left, and
 * gives new WebRTC connections the ICE servers the relay hands out now.
 * Every RELAY_REFRESH_INTERVAL_MS (jittered), and at once (then with back-off)
 * when the node has lost every relay and its reconnects fail: another relay
 * the list names may answer. A fetch that fails keeps the description held,
 * and the next one follows as soon as a relay answers again.
 */
export class RelayRefresh {
  readonly #o: Required<RelayRefreshOptions>
  readonly #lostBackoff: Backoff
  #timer: ReturnType<typeof setTimeout> | undefined
  #lastAt = -Infinity
  #lost = false
  /** the last fetch failed: what is held may be old (a start from the kept copy, or days offline) */
  #stale = false
  #stopped = true

  constructor (options: RelayRefreshOptions) {
    this.#o = { random: Math.random, now: () => performance.now(), ...options }
    this.#lostBackoff = new Backoff({ minMs: RELAY_REFRESH_MIN_MS, maxMs: RELAY_REFRESH_LOST_MAX_MS, random: this.#o.random })
  }

  /** The session fetched a description just before starting: the first refresh is a whole interval away. */
  start (): void {
    this.#stopped = false
    this.#lastAt = this.#o.now()
    this.#schedule(this.#regularWait())
  }

  stop (): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** The relay keeper's status: 'offline' is every relay lost and the last reconnect failed. */
  readonly relayStatus = (status: RelayStatus): void => {
    if (this.#stopped) return
    if (status === 'offline' && !this.#lost) {
      this.#lost = true
      this.#lostBackoff.reset()
      this.#schedule(0)
    } else if (status !== 'offline' && status !== 'connecting' && this.#lost) {
      this.#lost = false
      // a relay answers again, and the relay.json it serves is likely back too
      this.#schedule(this.#stale ? 0 : this.#regularWait())
    }
  }

  #regularWait (): number {
    return Math.round(RELAY_REFRESH_INTERVAL_MS * (1 - RELAY_REFRESH_JITTER * this.#o.random()))
  }

  #schedule (wait: number): void {
    clearTimeout(this.#timer)
    const earliest = this.#lastAt + RELAY_REFRESH_MIN_MS - this.#o.now()
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#refresh()
    }, Math.max(wait, earliest, 0))
  }

  async #refresh (): Promise<void> {
    this.#lastAt = this.#o.now()
    try {
      const info = await this.#o.fetch()
      if (this.#stopped) return
      this.#o.apply(info)
      this.#stale = false
    } catch (err) {
      this.#stale = true
      this.#o.log(`relay.json refresh failed, keeping the description held: ${(err as Error).message}`)
    }
    if (this.#stopped) return
    this.#schedule(this.#lost ? this.#lostBackoff.next() : this.#regularWait())
  }
}
