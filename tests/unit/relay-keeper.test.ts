import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RECONNECT_MAX_MS, RelayKeeper } from '../../src/lib/p2p/relay-keeper.ts'
import type { PeerlinkNode } from '../../src/lib/p2p/node.ts'

const RELAY = multiaddr('/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')

/** A node with no connections whose every dial fails: the network is down, or the relay is. */
function unreachableRelay (): { node: PeerlinkNode, dial: ReturnType<typeof vi.fn> } {
  const dial = vi.fn(async () => { throw new Error('network unreachable') })
  const node = {
    dial,
    getConnections: () => [],
    getMultiaddrs: () => [],
    addEventListener: () => {},
    removeEventListener: () => {}
  }
  return { node: node as unknown as PeerlinkNode, dial }
}

afterEach(() => { vi.useRealTimers() })

describe('relay keeper: reconnecting to the relay by itself', () => {
  it('should keep retrying with back-off after a reconnect asked for at once (the browser back online) fails', async () => {
    vi.useFakeTimers()
    const { node, dial } = unreachableRelay()
    const keeper = new RelayKeeper(node, [RELAY])
    keeper.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(dial).toHaveBeenCalledTimes(1)
    // 'online' fired while a retry waited, but the relay is not reachable yet
    keeper.reconnectNow()
    await vi.advanceTimersByTimeAsync(0)
    expect(dial).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(RECONNECT_MAX_MS * 4)
    expect(dial.mock.calls.length).toBeGreaterThan(4)
    expect(keeper.status).toBe('offline')
    keeper.stop()
  })
})
