import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it, vi } from 'vitest'
import { peerIdOf } from '../../src/lib/shared/addresses.ts'
import { KnownRelays } from '../../src/lib/p2p/known-relays.ts'
import { relayGater } from '../../src/lib/p2p/gater.ts'
import { onlyOurRelays, StrangerRelayError } from '../../src/lib/p2p/relay-guard.ts'
import { RelayKeeper } from '../../src/lib/p2p/relay-keeper.ts'
import { otherRelayAddresses, relayAddresses } from '../../src/lib/p2p/relays.ts'
import { IceServers } from '../../src/lib/state/ice-servers.ts'
import { applyRelayInfo } from '../../src/lib/state/relay-update.ts'
import type { PeerlinkNode } from '../../src/lib/p2p/node.ts'
import type { Libp2p } from '@libp2p/interface'
import type { IceServer, RelayInfo } from '../../src/lib/shared/relay-info.ts'

const OWN = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
const OLD = '/ip4/127.0.0.1/tcp/9091/ws/p2p/12D3KooWJ5n3AyxeKZTMM4D5oyRNWfiCeUKnN6QG3XEbh3qhBuRV'
const JOINED = '/ip4/192.168.1.7/tcp/9092/ws/p2p/12D3KooWGRUVh1HLrvwC8CC8aSYRkw3iKPkBzo9oKBPLpHdGRzLc'
const TURN_OLD: IceServer = { urls: ['turn:127.0.0.1:3478'], username: '1000:old', credential: 'a' }
const TURN_NEW: IceServer = { urls: ['turn:127.0.0.1:3478'], username: '2000000000:new', credential: 'b' }

/** The page was loaded from our relay, as OWN's address says. */
const PAGE = { protocol: 'http:', hostname: '127.0.0.1', port: '9090' }
/** Our relay at the same address, answering with another identity (its key was replaced). */
const RENAMED = `/ip4/127.0.0.1/tcp/9090/ws/p2p/${peerIdOf(multiaddr(JOINED)) ?? ''}`

function info (relays: string[], iceServers: IceServer[] = [TURN_NEW]): RelayInfo {
  return { peerId: peerIdOf(multiaddr(OWN)) ?? '', multiaddrs: [OWN], iceServers, relays }
}

/** A node whose dials all fail (our relay is down) and whose connections the test sets. */
function downNode () {
  let connected: string[] = []
  const dialed: string[] = []
  const node = {
    dial: vi.fn(async (ma: Multiaddr) => { dialed.push(ma.toString()); throw new Error('connection refused') }),
    getConnections: () => connected.map(id => ({ remotePeer: peerIdFromString(id), status: 'open' })),
    getMultiaddrs: () => [],
    addEventListener: () => {},
    removeEventListener: () => {}
  }
  return { node: node as unknown as PeerlinkNode, dialed, connect: (ids: string[]) => { connected = ids } }
}

function setUp (others: string[]) {
  const known = new KnownRelays([multiaddr(OWN)], others.map(ma => multiaddr(ma)))
  const ice = new IceServers([TURN_OLD], async () => { throw new Error('not asked here') }, () => 0)
  const net = downNode()
  const keeper = new RelayKeeper(net.node, known)
  const log = vi.fn()
  const apply = (next: RelayInfo): void => {
    applyRelayInfo(next, {
      known,
      ice,
      connectedPeers: () => net.node.getConnections().map(c => c.remotePeer.toString()),
      reconnectNow: keeper.reconnectNow,
      otherRelayAddresses,
      ownRelayAddresses: next => relayAddresses(next, PAGE),
      ownPeerId: info([]).peerId,
      log
    })
  }
  return { known, ice, keeper, apply, log, ...net }
}

/** Lets the keeper's dials (all failing) run; its back-off waits far longer than this. */
async function settle (): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, 0))
}

describe('applying a relay description fetched while the node runs', () => {
  it('should let the node dial a relay that joined, and have the keeper try it while ours is down', async () => {
    const { known, keeper, apply, dialed } = setUp([OLD])
    const gater = relayGater(() => known.all)
    // a private plain-ws address nobody vouched for: refused
    expect(await gater.denyDialMultiaddr!(multiaddr(JOINED))).toBe(true)
    keeper.start()
    await settle()
    expect(dialed).toEqual([OWN, OLD])

    apply(info([OLD, JOINED]))
    await settle()
    expect(await gater.denyDialMultiaddr!(multiaddr(JOINED))).toBe(false)
    expect(known.others.map(String)).toEqual([OLD, JOINED])
    // the keeper did not wait out its back-off for the new relay
    expect(dialed).toEqual([OWN, OLD, OWN, OLD, JOINED])
    keeper.stop()
  })

  it('should stop dialing a relay gone from the list, and refuse it its reservation', async () => {
    const { known, apply } = setUp([OLD, JOINED])
    const gater = relayGater(() => known.all)
    const guarded = guardedStore(known)
    apply(info([JOINED]))
    expect(known.others.map(String)).toEqual([JOINED])
    expect(await gater.denyDialMultiaddr!(multiaddr('/ip4/127.0.0.1/tcp/9091/ws'))).toBe(true)
    await expect(guarded.addRelay(peerIdFromString(peerIdOf(multiaddr(OLD)) ?? ''), 'discovered')).rejects.toThrow(StrangerRelayError)
    await expect(guarded.addRelay(peerIdFromString(peerIdOf(multiaddr(JOINED)) ?? ''), 'discovered')).resolves.toBe('added')
  })

  it('should keep a relay gone from the list that the node still uses, without dialing it again, until it is no longer used', async () => {
    const { known, keeper, apply, connect, dialed } = setUp([OLD])
    const oldId = peerIdOf(multiaddr(OLD)) ?? ''
    // our relay is down and the other relay holds our reservation
    connect([oldId])
    apply(info([JOINED]))
    expect(keeper.relayPeers).toEqual([oldId])
    expect(known.others.map(String)).toEqual([JOINED])

    connect([])
    keeper.start()
    await settle()
    expect(dialed).toEqual([OWN, JOINED])
    keeper.stop()
    apply(info([JOINED]))
    expect(known.ids.has(oldId)).toBe(false)
  })

  it('should dial our relay under the new identity its description names, and let it hold our reservation', async () => {
    const { known, keeper, apply, dialed, log } = setUp([])
    const gater = relayGater(() => known.all)
    const guarded = guardedStore(known)
    keeper.start()
    await settle()
    expect(dialed).toEqual([OWN])
    apply({ ...info([]), peerId: peerIdOf(multiaddr(RENAMED)) ?? '', multiaddrs: [RENAMED] })
    await settle()
    expect(known.others.map(String)).toEqual([RENAMED])
    // tried at once, not at the keeper's next back-off step
    expect(dialed).toEqual([OWN, OWN, RENAMED])
    expect(await gater.denyDialMultiaddr!(multiaddr(RENAMED))).toBe(false)
    await expect(guarded.addRelay(peerIdFromString(peerIdOf(multiaddr(RENAMED)) ?? ''), 'discovered')).resolves.toBe('added')
    expect(log).toHaveBeenCalledWith(expect.stringContaining('dialing it as another relay'))
    keeper.stop()
  })

  it('should give new WebRTC connections the ICE servers of the fresh description', async () => {
    const { ice, apply, log } = setUp([])
    apply(info([], [TURN_NEW]))
    expect(await ice.current()).toEqual([TURN_NEW])
    // the list of relays did not change: nothing to say
    expect(log).not.toHaveBeenCalled()
  })
})

/** The circuit transport's reservation store as onlyOurRelays wraps it, over a stand-in node. */
function guardedStore (known: KnownRelays) {
  const store = {
    hasReservation: () => false,
    addRelay: async (): Promise<string> => 'added'
  }
  const transport = { [Symbol.toStringTag]: '@libp2p/circuit-relay-v2-transport', onStop: async () => {}, reservationStore: store }
  const node = { components: { transportManager: { getTransports: () => [transport] } } }
  onlyOurRelays(node as unknown as Libp2p, known)
  return store as unknown as { addRelay: (peer: ReturnType<typeof peerIdFromString>, type: 'discovered') => Promise<unknown> }
}
