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

/** A relay that takes each connection and drops it at once: full, pruning, or shutting down. */
function droppingRelay (): { node: PeerlinkNode, dial: ReturnType<typeof vi.fn> } {
  const listeners = new Map<string, () => void>()
  let connections: Array<{ remotePeer: { toString: () => string } }> = []
  const dial = vi.fn(async () => {
    connections = [{ remotePeer: { toString: () => RELAY.getComponents().findLast(c => c.name === 'p2p')?.value ?? '' } }]
    queueMicrotask(() => {
      connections = []
      listeners.get('peer:disconnect')?.()
    })
  })
  const node = {
    dial,
    getConnections: () => connections,
    getMultiaddrs: () => [],
    addEventListener: (type: string, fn: () => void) => { listeners.set(type, fn) },
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

  it('should back off from a relay that takes connections and drops them, not dial it every half second', async () => {
    vi.useFakeTimers()
    const { node, dial } = droppingRelay()
    const keeper = new RelayKeeper(node, [RELAY])
    keeper.start()
    await vi.advanceTimersByTimeAsync(60_000)
    // 0.5, 1, 2, 4, 8, 16, 30 s (jittered): under ten in a minute; without back-off, over a hundred
    expect(dial.mock.calls.length).toBeLessThan(10)
    expect(keeper.status).not.toBe('reserved')
    keeper.stop()
  })
})
