/**
 * A browser whose own relay is full, with another relay of the DHT that has
 * room: it should be reachable through that one rather than by nobody.
 * Node stand-ins for the browsers, two real relays.
 */
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RelayKeeper } from '../../src/lib/p2p/relay-keeper.ts'
import type { PeerlinkNode } from '../../src/lib/p2p/node.ts'
import { circuitAddrs, createClient, createDhtClient, reserveOn, startTestRelay, waitFor, type TestRelay } from '../relay-clients.ts'

/** Well within RESERVATION_GRACE_MS, after which the keeper (seeing no WebRTC address) would start over. */
const RESERVATION_WAIT_MS = 6_000

let full: TestRelay
let other: TestRelay
const nodes: Libp2p[] = []
let keeper: RelayKeeper | undefined

beforeAll(async () => {
  // room for one reservation, which someone else holds
  full = await startTestRelay({ maxReservations: 1 })
  other = await startTestRelay()
  const occupant = await createClient()
  nodes.push(occupant)
  await reserveOn(occupant, full.relay)
}, 30_000)

afterAll(async () => {
  keeper?.stop()
  await Promise.all(nodes.map(async n => { await n.stop() }))
  await full?.cleanup()
  await other?.cleanup()
}, 30_000)

describe('relay keeper: our relay is full', { timeout: 40_000 }, () => {
  it('should take a reservation on another relay of the DHT that has room', async () => {
    const node = await createDhtClient()
    nodes.push(node)
    keeper = new RelayKeeper(node as unknown as PeerlinkNode, [multiaddr(full.relay.multiaddrs[0])], [multiaddr(other.relay.multiaddrs[0])])
    keeper.start()
    await waitFor(() => keeper?.status === 'full', 'our relay to be found full')
    // (a Node client has no WebRTC address, which is what the keeper counts as reserved: its circuit address is read here)
    await waitFor(() => circuitAddrs(node, other.relay).length > 0, 'a reservation on the other relay', RESERVATION_WAIT_MS)
    expect(circuitAddrs(node, full.relay)).toEqual([])
  })
})
