import type { IceServer, RelayInfo } from '../shared/relay-info.ts'

/**
 * Fresh TURN credentials are fetched once those held have less than this
 * left: coturn checks the credential again each time an allocation is
 * refreshed, every 10 minutes by default, so a connection made with less
 * left would lose its TURN path at its first refresh.
 */
export const ICE_REFRESH_MARGIN_MS = 10 * 60 * 1000

/**
 * Between two fetches at least this long, the credentials held are used as
 * they are: with the relay down, every dial would otherwise wait for
 * /relay.json's timeout first, and a relay whose clock is wrong hands out
 * credentials that look expired the moment they arrive.
 */
export const ICE_REFRESH_RETRY_MS = 30 * 1000

/**
 * When the earliest of these TURN credentials expires (ms since the epoch):
 * the relay's usernames are `<unix expiry in seconds>:<tag>` (relay/turn.ts,
 * the TURN REST scheme). Undefined when none says: STUN only, or credentials
 * of another kind, which are used as they are.
 */
export function turnExpiry (servers: readonly IceServer[]): number | undefined {
  let earliest: number | undefined
  for (const { username } of servers) {
    const seconds = /^(\d+):/.exec(username ?? '')?.[1]
    if (seconds == null) continue
    const at = Number(seconds) * 1000
    if (earliest == null || at < earliest) earliest = at
  }
  return earliest
}

/**
 * The ICE servers for the next WebRTC connection. /relay.json is read once
 * per page load, and its TURN credentials expire (12 hours by default): a
 * page open for longer, or one that started offline from the copy kept by an
 * earlier visit (relay-source.ts), would otherwise hand expired credentials
 * to every connection for good, and the TURN rung of the ladder never works.
 */
export class IceServers {
  #servers: IceServer[]
  readonly #fetchInfo: () => Promise<RelayInfo>
  readonly #now: () => number
  #refreshing: Promise<void> | undefined
  #retryAt = 0

  constructor (initial: IceServer[], fetchInfo: () => Promise<RelayInfo>, now: () => number = Date.now) {
    this.#servers = initial
    this.#fetchInfo = fetchInfo
    this.#now = now
  }

  async current (): Promise<IceServer[]> {
    const expiry = turnExpiry(this.#servers)
    const now = this.#now()
    if (expiry != null && expiry - now < ICE_REFRESH_MARGIN_MS && now >= this.#retryAt) {
      // one fetch for every connection that asks meanwhile
      this.#refreshing ??= this.#refresh().finally(() => { this.#refreshing = undefined })
      await this.#refreshing
    }
    return this.#servers
  }

  /** Servers from a description fetched meanwhile (relay-refresh.ts): the next connection gets them. */
  replace (servers: IceServer[]): void {
    this.#servers = servers
  }

  async #refresh (): Promise<void> {
    try {
      this.#servers = (await this.#fetchInfo()).iceServers
    } catch {
      // relay unreachable: the old credentials are all there is (STUN still works)
    } finally {
      this.#retryAt = this.#now() + ICE_REFRESH_RETRY_MS
    }
  }
}
