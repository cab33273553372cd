import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FULL_RETRY_MAX_MS, RelayKeeper } from '../../src/lib/p2p/relay-keeper.ts'
import type { PeerlinkNode } from '../../src/lib/p2p/node.ts'

// the relay answers every reservation probe: no room
vi.mock('../../src/lib/p2p/reservation-probe.ts', () => ({ probeReservation: async () => 'full' }))

const RELAY_ID = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
const RELAY = multiaddr(`/ip4/127.0.0.1/tcp/9090/ws/p2p/${RELAY_ID}`)
const FRIEND = '12D3KooWGRUVh1HLrvwC8CC8aSYRkw3iKPkBzo9oKBPLpHdGRzLc'

afterEach(() => { vi.useRealTimers() })

describe('relay keeper: a full relay', () => {
  it('should not cut a relayed conversation through it to ask again for a reservation, and ask once it has ended', async () => {
    vi.useFakeTimers()
    const relayConn = { remotePeer: peerIdFromString(RELAY_ID), remoteAddr: RELAY, status: 'open', limits: undefined, close: vi.fn(async () => { relayConn.status = 'closed' }), abort: () => {} }
    const carrier = { remotePeer: peerIdFromString(FRIEND), remoteAddr: multiaddr(`${RELAY.toString()}/p2p-circuit/p2p/${FRIEND}`), status: 'open', limits: { seconds: 1800 }, close: async () => {}, abort: () => {} }
    const node = {
      dial: vi.fn(async () => {}),
      getConnections: () => [relayConn, carrier].filter(c => c.status === 'open'),
      getMultiaddrs: () => [],
      addEventListener: () => {},
      removeEventListener: () => {}
    } as unknown as PeerlinkNode
    const keeper = new RelayKeeper(node, [RELAY])
    keeper.start()
    await vi.advanceTimersByTimeAsync(3_000)
    expect(keeper.status).toBe('full')
    await vi.advanceTimersByTimeAsync(2 * FULL_RETRY_MAX_MS)
    expect(relayConn.close).not.toHaveBeenCalled()
    // the conversation ended: the next retry makes a fresh connection
    carrier.status = 'closed'
    await vi.advanceTimersByTimeAsync(FULL_RETRY_MAX_MS)
    expect(relayConn.close).toHaveBeenCalled()
    keeper.stop()
  })
})
