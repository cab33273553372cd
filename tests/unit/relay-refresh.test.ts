import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  RELAY_REFRESH_INTERVAL_MS,
  RELAY_REFRESH_JITTER,
  RELAY_REFRESH_LOST_MAX_MS,
  RELAY_REFRESH_MIN_MS,
  RelayRefresh
} from '../../src/lib/state/relay-refresh.ts'
import { fetchRelayInfo } from '../../src/lib/p2p/relay-fetch.ts'
import type { RelayInfo } from '../../src/lib/shared/relay-info.ts'

const INFO: RelayInfo = {
  peerId: '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA',
  multiaddrs: [],
  iceServers: [],
  relays: []
}

/** the wait a draw of `random` gives in the regular schedule */
function regularWait (random: number): number {
  return Math.round(RELAY_REFRESH_INTERVAL_MS * (1 - RELAY_REFRESH_JITTER * random))
}

function refresher (options: { fetch?: () => Promise<RelayInfo>, random?: number } = {}) {
  const fetch = vi.fn(options.fetch ?? (async () => INFO))
  const apply = vi.fn()
  const log = vi.fn()
  const refresh = new RelayRefresh({ fetch, apply, log, random: () => options.random ?? 0, now: () => Date.now() })
  return { refresh, fetch, apply, log }
}

beforeEach(() => { vi.useFakeTimers() })
afterEach(() => { vi.useRealTimers() })

describe('refreshing the relay description while the node runs', () => {
  it('should fetch /relay.json again after the interval, and apply it', async () => {
    const { refresh, fetch, apply } = refresher({ random: 0 })
    refresh.start()
    await vi.advanceTimersByTimeAsync(RELAY_REFRESH_INTERVAL_MS - 1)
    expect(fetch).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(apply).toHaveBeenCalledWith(INFO)
    await vi.advanceTimersByTimeAsync(RELAY_REFRESH_INTERVAL_MS)
    expect(fetch).toHaveBeenCalledTimes(2)
    refresh.stop()
  })

  it('should spread the fetches of many tabs over the last part of the interval', async () => {
    const { refresh, fetch } = refresher({ random: 1 })
    refresh.start()
    await vi.advanceTimersByTimeAsync(regularWait(1) - 1)
    expect(fetch).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(regularWait(1)).toBeLessThan(RELAY_REFRESH_INTERVAL_MS)
    refresh.stop()
  })

  it('should fetch at once when every relay is lost, then back off, and once a relay answers fetch again and resume the interval', async () => {
    let down = true
    const { refresh, fetch, apply } = refresher({ fetch: async () => { if (down) throw new Error('down'); return INFO } })
    refresh.start()
    await vi.advanceTimersByTimeAsync(5 * 60_000)
    refresh.relayStatus('connecting')
    refresh.relayStatus('offline')
    await vi.advanceTimersByTimeAsync(0)
    expect(fetch).toHaveBeenCalledTimes(1)
    // the keeper flips between connecting and offline on each reconnect: no new fetch for that
    refresh.relayStatus('connecting')
    refresh.relayStatus('offline')
    await vi.advanceTimersByTimeAsync(RELAY_REFRESH_MIN_MS - 1)
    expect(fetch).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch).toHaveBeenCalledTimes(2)
    // back-off grows, but never past its ceiling
    await vi.advanceTimersByTimeAsync(2 * RELAY_REFRESH_MIN_MS)
    expect(fetch).toHaveBeenCalledTimes(3)
    await vi.advanceTimersByTimeAsync(RELAY_REFRESH_LOST_MAX_MS * 4)
    const whileLost = fetch.mock.calls.length
    await vi.advanceTimersByTimeAsync(RELAY_REFRESH_LOST_MAX_MS)
    expect(fetch).toHaveBeenCalledTimes(whileLost + 1)

    expect(apply).not.toHaveBeenCalled()

    // the relay is back: what is held came from failed reads, so it is read again at once
    down = false
    refresh.relayStatus('reserved')
    await vi.advanceTimersByTimeAsync(0)
    expect(fetch).toHaveBeenCalledTimes(whileLost + 2)
    expect(apply).toHaveBeenCalledWith(INFO)
    await vi.advanceTimersByTimeAsync(RELAY_REFRESH_INTERVAL_MS - 1)
    expect(fetch).toHaveBeenCalledTimes(whileLost + 2)
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch).toHaveBeenCalledTimes(whileLost + 3)
    refresh.stop()
  })

  it('should never fetch sooner than the minimum after the last fetch, however often the relays are lost', async () => {
    const { refresh, fetch } = refresher()
    refresh.start()
    // the session fetched the description just before the node started
    refresh.relayStatus('offline')
    await vi.advanceTimersByTimeAsync(RELAY_REFRESH_MIN_MS - 1)
    expect(fetch).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch).toHaveBeenCalledTimes(1)
    for (let i = 0; i < 10; i++) {
      refresh.relayStatus('reserved')
      refresh.relayStatus('offline')
      await vi.advanceTimersByTimeAsync(RELAY_REFRESH_MIN_MS / 10)
    }
    expect(fetch).toHaveBeenCalledTimes(2)
    refresh.stop()
  })

  it('should keep the description held, and say so only in the debug log, when the fetch fails or is malformed', async () => {
    const bodies = [{ peerId: 42 }, INFO]
    const fake = vi.fn(async () => new Response(JSON.stringify(bodies.shift())))
    const { refresh, apply, log } = refresher({ random: 0, fetch: async () => await fetchRelayInfo('/relay.json', fake) })
    refresh.start()
    await vi.advanceTimersByTimeAsync(RELAY_REFRESH_INTERVAL_MS)
    expect(apply).not.toHaveBeenCalled()
    expect(log).toHaveBeenCalledWith(expect.stringContaining('relay.json has no peerId'))
    // and the schedule goes on
    await vi.advanceTimersByTimeAsync(RELAY_REFRESH_INTERVAL_MS)
    expect(apply).toHaveBeenCalledWith(INFO)
    refresh.stop()
  })

  it('should fetch nothing once stopped', async () => {
    const { refresh, fetch } = refresher()
    refresh.start()
    refresh.stop()
    refresh.relayStatus('offline')
    await vi.advanceTimersByTimeAsync(2 * RELAY_REFRESH_INTERVAL_MS)
    expect(fetch).not.toHaveBeenCalled()
  })
})
