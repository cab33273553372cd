import { Backoff } from '../p2p/backoff.ts'
import { fetchRelayInfo } from '../p2p/relay-fetch.ts'
import { parseRelayInfo, type RelayInfo } from '../shared/relay-info.ts'

/** Where the last relay description is kept: public facts, small, and needed before IndexedDB opens. */
export const RELAY_INFO_KEY = 'peerlink:relay-info'
/** A relay that just came back answers within a second or two. */
export const RELAY_INFO_RETRY_MIN_MS = 1_000
/** Waiting longer would leave a user who is back online staring at "Offline" for long. */
export const RELAY_INFO_RETRY_MAX_MS = 30_000

function loadCached (): RelayInfo | undefined {
  try {
    const text = localStorage.getItem(RELAY_INFO_KEY)
    return text != null ? parseRelayInfo(JSON.parse(text)) : undefined
  } catch {
    // a damaged or foreign entry is as good as none
    return undefined
  }
}

function saveCached (info: RelayInfo): void {
  try {
    localStorage.setItem(RELAY_INFO_KEY, JSON.stringify(info))
  } catch {
    // storage full or disabled: the next offline start just waits for the relay
  }
}

/**
 * The live /relay.json, kept for the next start that finds the relay down.
 * Throws RelayUnavailableError when it cannot be had.
 */
export async function fetchRelayInfoAndKeep (): Promise<RelayInfo> {
  const info = await fetchRelayInfo()
  saveCached(info)
  return info
}

/**
 * The relay description to start the node with. The live /relay.json when the
 * relay answers; else the copy from the last visit, so an offline start still
 * gets a node that reconnects by itself (the RelayKeeper) when the relay is
 * back; with no copy either, it keeps asking with back-off, and at once when
 * the browser comes back online. `onWaiting` hears each failed attempt.
 */
export async function obtainRelayInfo (onWaiting: (err: Error) => void): Promise<RelayInfo> {
  const backoff = new Backoff({ minMs: RELAY_INFO_RETRY_MIN_MS, maxMs: RELAY_INFO_RETRY_MAX_MS })
  while (true) {
    try {
      return await fetchRelayInfoAndKeep()
    } catch (err) {
      const cached = loadCached()
      if (cached != null) return cached
      onWaiting(err as Error)
    }
    await wakeAfter(backoff.next())
  }
}

/** Resolves after `ms`, or sooner when the browser says it is online again. */
function wakeAfter (ms: number): Promise<void> {
  return new Promise(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      removeEventListener('online', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    addEventListener('online', done)
  })
}
