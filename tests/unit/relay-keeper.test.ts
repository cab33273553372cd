import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { peerIdFromString } from '@libp2p/peer-id'
import { peerIdOf } from '../../src/lib/shared/addresses.ts'
import { RECONNECT_MAX_MS, RelayKeeper } from '../../src/lib/p2p/relay-keeper.ts'
import { HOME_RETRY_MAX_MS, HOME_RETRY_MIN_MS } from '../../src/lib/p2p/relay-home.ts'
import type { PeerlinkNode } from '../../src/lib/p2p/node.ts'

// the keeper loads the probe's code on its first ask (ask-relay.ts): loaded
// here before any test's fake clock runs, as a page's module cache would have it
beforeAll(async () => {
  await import('../../src/lib/p2p/reservation-probe.ts')
})

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
    connections = [{ remotePeer: { toString: () => peerIdOf(RELAY) ?? '' } }]
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

const FALLBACK = multiaddr('/ip4/127.0.0.1/tcp/9091/ws/p2p/12D3KooWJ5n3AyxeKZTMM4D5oyRNWfiCeUKnN6QG3XEbh3qhBuRV')

/** a friend whose conversation is relayed */
const FRIEND = '12D3KooWGRUVh1HLrvwC8CC8aSYRkw3iKPkBzo9oKBPLpHdGRzLc'

function idOf (ma: typeof RELAY): string {
  return peerIdOf(ma) ?? ''
}

/**
 * Our relay went down and a fallback holds our reservation. Our relay answers
 * dials again once `homeBack()` is called; a reservation follows wherever the
 * node stays connected (libp2p's part), and `circuit()` adds a relayed
 * conversation through the fallback.
 */
function awayFromHome () {
  const listeners = new Map<string, () => void>()
  type Conn = { remotePeer: ReturnType<typeof peerIdFromString>, remoteAddr: typeof RELAY, limits?: object, status: string, close: () => Promise<void> }
  let conns: Conn[] = []
  let ownUp = false
  const relayConn = (ma: typeof RELAY): Conn => {
    const conn: Conn = {
      remotePeer: peerIdFromString(idOf(ma)),
      remoteAddr: ma,
      status: 'open',
      close: async () => {
        conns = conns.filter(c => c !== conn)
        listeners.get('peer:disconnect')?.()
      }
    }
    return conn
  }
  conns.push(relayConn(FALLBACK))
  const dial = vi.fn(async (ma: typeof RELAY) => {
    if (idOf(ma) === idOf(RELAY) && !ownUp) throw new Error('connection refused')
    if (!conns.some(c => c.remotePeer.toString() === idOf(ma))) conns.push(relayConn(ma))
  })
  const patch = vi.fn(async () => {})
  const node = {
    dial,
    peerStore: { patch },
    getConnections: () => conns,
    // the reservation is on the relay of the oldest relay connection left
    getMultiaddrs: () => conns.filter(c => c.limits == null).slice(0, 1).map(c => multiaddr(`${c.remoteAddr.toString()}/p2p-circuit/webrtc/p2p/12D3KooWSsbxTH2sHeZSHqc5ENSmjyHVVwh7V7fJuR7eDkDvC97X`)),
    addEventListener: (type: string, fn: () => void) => { listeners.set(type, fn) },
    removeEventListener: () => {}
  }
  return {
    node: node as unknown as PeerlinkNode,
    dial,
    patch,
    homeBack: () => { ownUp = true },
    reservedOn: () => node.getMultiaddrs()[0]?.toString() ?? '',
    circuit: () => {
      const conn = relayConn(FALLBACK)
      conns.push({ ...conn, remotePeer: peerIdFromString(FRIEND), remoteAddr: multiaddr(`${FALLBACK.toString()}/p2p-circuit/p2p/${FRIEND}`), limits: {} })
      return () => { conns = conns.filter(c => c.limits == null) }
    }
  }
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

  it('should dial the relay again at once when the tab is shown again, not at the next back-off step', async () => {
    vi.useFakeTimers()
    const shown = new EventTarget()
    vi.stubGlobal('document', Object.assign(shown, { visibilityState: 'hidden' }))
    try {
      const { node, dial } = unreachableRelay()
      const keeper = new RelayKeeper(node, [RELAY])
      keeper.start()
      // hidden for a while: the back-off has grown long
      await vi.advanceTimersByTimeAsync(RECONNECT_MAX_MS * 4)
      const dials = dial.mock.calls.length
      shown.dispatchEvent(new Event('visibilitychange'))
      await vi.advanceTimersByTimeAsync(0)
      expect(dial.mock.calls.length).toBe(dials)
      Object.assign(shown, { visibilityState: 'visible' })
      shown.dispatchEvent(new Event('visibilitychange'))
      await vi.advanceTimersByTimeAsync(0)
      expect(dial.mock.calls.length).toBe(dials + 1)
      keeper.stop()
    } finally {
      vi.unstubAllGlobals()
    }
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

  it('should back off from a relay that grants a reservation and drops us a moment later', async () => {
    vi.useFakeTimers()
    const listeners = new Map<string, () => void>()
    let connected = false
    const dial = vi.fn(async () => {
      connected = true
      listeners.get('peer:connect')?.()
      setTimeout(() => { listeners.get('self:peer:update')?.() }, 50)
      setTimeout(() => {
        connected = false
        listeners.get('peer:disconnect')?.()
      }, 300)
    })
    const node = {
      dial,
      getConnections: () => connected ? [{ remotePeer: { toString: () => idOf(RELAY) }, status: 'open' }] : [],
      getMultiaddrs: () => connected ? [multiaddr(`${RELAY.toString()}/p2p-circuit/webrtc/p2p/12D3KooWSsbxTH2sHeZSHqc5ENSmjyHVVwh7V7fJuR7eDkDvC97X`)] : [],
      addEventListener: (type: string, fn: () => void) => { listeners.set(type, fn) },
      removeEventListener: () => {}
    } as unknown as PeerlinkNode
    const reserved: string[] = []
    const keeper = new RelayKeeper(node, [RELAY])
    keeper.addEventListener('status', evt => { if (evt.detail === 'reserved') reserved.push(evt.detail) })
    keeper.start()
    await vi.advanceTimersByTimeAsync(60_000)
    keeper.stop()
    // as for a relay that drops us before any reservation; reset at each one, it was 90 a minute
    expect(dial.mock.calls.length).toBeLessThan(10)
    expect(reserved.length).toBeLessThan(10)
  })

  it('should move the reservation back to our own relay once it answers again', async () => {
    vi.useFakeTimers()
    const lab = awayFromHome()
    const keeper = new RelayKeeper(lab.node, [RELAY], [FALLBACK])
    keeper.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(keeper.status).toBe('reserved')
    expect(lab.reservedOn()).toContain(idOf(FALLBACK))
    // our relay is still down: tried now and then, less and less often
    await vi.advanceTimersByTimeAsync(HOME_RETRY_MAX_MS)
    const tries = lab.dial.mock.calls.length
    expect(tries).toBeGreaterThan(0)
    expect(tries).toBeLessThan(10)
    expect(lab.reservedOn()).toContain(idOf(FALLBACK))
    lab.homeBack()
    await vi.advanceTimersByTimeAsync(HOME_RETRY_MAX_MS)
    expect(lab.reservedOn()).toContain(idOf(RELAY))
    // libp2p must not pick the fallback again for the new reservation
    expect(lab.patch).toHaveBeenCalledWith(peerIdFromString(idOf(FALLBACK)), { protocols: [] })
    expect(keeper.status).toBe('reserved')
    keeper.stop()
  })

  it('should not drop the fallback while a conversation runs through it', async () => {
    vi.useFakeTimers()
    const lab = awayFromHome()
    const keeper = new RelayKeeper(lab.node, [RELAY], [FALLBACK])
    keeper.start()
    lab.homeBack()
    const ended = lab.circuit()
    await vi.advanceTimersByTimeAsync(HOME_RETRY_MIN_MS * 4)
    expect(lab.reservedOn()).toContain(idOf(FALLBACK))
    ended()
    await vi.advanceTimersByTimeAsync(HOME_RETRY_MAX_MS)
    expect(lab.reservedOn()).toContain(idOf(RELAY))
    keeper.stop()
  })
})
