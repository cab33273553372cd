import 'fake-indexeddb/auto'
import type { Connection, PeerId } from '@libp2p/interface'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Messenger } from '../../src/lib/state/messenger.ts'
import { useAsCarrier } from '../../src/lib/p2p/connectivity.ts'
import { UPGRADE_SOON_MS, UPGRADE_YIELD_MS } from '../../src/lib/p2p/constants.ts'
import { UNREADABLE_NOTICE } from '../../src/lib/state/unreadable-frames.ts'
import { GLARE_DEFER_MS, REDIAL_MIN_MS, STABLE_MS } from '../../src/lib/state/redials.ts'
import { connection, FakeNode, FRIEND, FRIEND_ABOVE, startMessenger as start, stopMessenger } from './fixtures/messenger-node.ts'

afterEach(() => {
  stopMessenger()
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('messenger: keeping a conversation connected', () => {
  /** A tab whose visibility the test sets, and the friend's messages waiting: its dial failed and a redial is scheduled. */
  async function waitingFor (friend: PeerId, visibilityState: DocumentVisibilityState): Promise<{ messenger: Messenger, visibilityChange: () => void }> {
    const listeners = new Map<string, () => void>()
    vi.stubGlobal('document', {
      visibilityState,
      addEventListener: (type: string, fn: () => void) => { listeners.set(type, fn) },
      removeEventListener: () => {}
    })
    const { messenger, store } = await start(new FakeNode())
    const outbox = vi.spyOn(store.messages, 'outbox')
    await messenger.send(friend.toString(), 'are you there?')
    await vi.waitFor(() => { expect(outbox).toHaveBeenCalled() })
    await outbox.mock.results.at(-1)?.value
    await new Promise(resolve => setTimeout(resolve, 0))
    expect(messenger.counts().dials).toBe(1)
    return { messenger, visibilityChange: () => listeners.get('visibilitychange')?.() }
  }

  it('should redial at once when asked (the relay is back) also in a hidden tab', async () => {
    // the friend's ID sorts above ours: we are the side that does not defer on glare
    const { messenger, visibilityChange } = await waitingFor(FRIEND_ABOVE, 'hidden')
    // the reservation lands again while the tab is in the background
    messenger.retryNow()
    expect(messenger.counts().dials).toBe(2)
    // becoming hidden is no reason to redial
    visibilityChange()
    expect(messenger.counts().dials).toBe(2)
  })

  it('should have the side with the larger ID defer when the relay is back, but not when its tab is shown', async () => {
    const { messenger, visibilityChange } = await waitingFor(FRIEND, 'visible')
    // the relay is back for the friend too, who dials first
    messenger.retryNow()
    expect(messenger.counts().dials).toBe(1)
    // only this tab changed: nobody else is about to dial
    visibilityChange()
    expect(messenger.counts().dials).toBe(2)
  })

  it('should try for a direct connection again when the direct path dies and the relayed one takes over', async () => {
    const node = new FakeNode()
    const { messenger } = await start(node)
    const carrier = connection('circuit')
    useAsCarrier(carrier.conn)
    node.open(carrier.conn)
    const direct = connection('webrtc')
    node.open(direct.conn)
    expect(messenger.linkState(FRIEND.toString())).toBe('direct')
    node.answer = addr => connection(addr.toString().includes('/webrtc') ? 'webrtc' : 'circuit').conn
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    direct.path('disconnected')
    expect(messenger.linkState(FRIEND.toString())).toBe('relayed')
    // the first upgrade attempt comes after UPGRADE_SOON_MS, through the stalled connection's replacement,
    // and UPGRADE_YIELD_MS later on this side, whose ID is the larger: the friend saw the path die too
    await vi.advanceTimersByTimeAsync(UPGRADE_SOON_MS + UPGRADE_YIELD_MS - 1)
    expect(node.directDials()).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    await vi.waitFor(() => { expect(messenger.linkState(FRIEND.toString())).toBe('direct') })
    expect(node.directDials()).toBe(1)
  })

  it('should take a relayed connection the friend chats on as its carrier at once, not when its own redial comes round', async () => {
    const node = new FakeNode()
    const { messenger } = await start(node)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    // the friend is out of reach: the message waits, a redial is scheduled
    await messenger.send(FRIEND.toString(), 'are you there?')
    await vi.advanceTimersByTimeAsync(100)
    expect(messenger.linkState(FRIEND.toString())).toBe('offline')
    const dials = node.dial.mock.calls.length
    // the friend found no direct path either, and chats over the relay
    const circuit = connection('circuit').conn
    node.open(circuit)
    expect(messenger.linkState(FRIEND.toString())).toBe('offline')
    node.frame(circuit, { type: 'text', id: new Uint8Array(16).fill(7), text: 'hi!', sentAt: Date.now(), seq: 1 })
    expect(messenger.linkState(FRIEND.toString())).toBe('relayed')
    await vi.waitFor(() => { expect(node.sent('text')).toBe(1) })
    expect(node.dial.mock.calls.length).toBe(dials)
  })

  it('should say something on the relayed connection it chose when it has nothing to send: the friend takes it as its carrier only on a frame', async () => {
    const node = new FakeNode()
    const { messenger } = await start(node)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    node.answer = addr => addr.toString().includes('/webrtc') ? new Error('no direct path') : connection('circuit').conn
    messenger.watch(FRIEND.toString())
    await vi.waitFor(async () => {
      await vi.advanceTimersByTimeAsync(1_000)
      expect(messenger.linkState(FRIEND.toString())).toBe('relayed')
    })
    // nothing queued, no name, no receipts: the greeting itself said nothing
    await vi.waitFor(() => { expect(node.sent('typing')).toBe(1) })
    const frames = node.services.chat.send.mock.calls.map(call => (call as unknown[])[1])
    expect(frames).toEqual([{ type: 'typing', active: false }])
  })

  it('should dial everyone with messages waiting from before a reload, also when one of the outboxes cannot be read', async () => {
    const node = new FakeNode()
    let unreadable: string | undefined
    const { messenger } = await start(node, async store => {
      await store.messages.createOutgoing(FRIEND.toString(), 'to one friend')
      await store.messages.createOutgoing(FRIEND_ABOVE.toString(), 'to the other')
      const outbox = store.messages.outbox.bind(store.messages)
      // the first outbox the start reads fails
      vi.spyOn(store.messages, 'outbox').mockImplementation(async peer => {
        unreadable ??= peer
        if (peer === unreadable) throw new Error('the outbox cannot be read')
        return await outbox(peer)
      })
    })
    const problems: string[] = []
    messenger.addEventListener('problem', evt => { problems.push(evt.detail.message) })
    const dialed = (): string[] => [FRIEND, FRIEND_ABOVE].map(String).filter(peer => node.dial.mock.calls.some(([addr]) => addr.toString().endsWith(`/p2p/${peer}`)))
    // both: the one whose messages are known to wait, and the one whose outbox may hold some
    await vi.waitFor(() => { expect(dialed()).toHaveLength(2) })
    expect(problems).toContain('the outbox cannot be read')
  })

  it('should start its back-off over when a connection that lasted drops, though a dial of its own failed late while it began', async () => {
    const node = new FakeNode()
    const { messenger } = await start(node)
    // performance too: a connection's age is read from it
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    // the friend stays away a while: the redials back off
    messenger.watch(FRIEND.toString())
    await vi.advanceTimersByTimeAsync(20_000)
    // the next dial is slow to fail: its lookup of the friend's relays (the DHT) takes its time...
    const late = Promise.withResolvers<[]>()
    let looking = false
    node.locate = async () => { looking = true; return await late.promise }
    await vi.waitFor(async () => {
      await vi.advanceTimersByTimeAsync(1_000)
      expect(looking).toBe(true)
    }, { timeout: 10_000 })
    // ...and meanwhile the friend reaches us
    node.open(connection('webrtc').conn)
    expect(messenger.linkState(FRIEND.toString())).toBe('direct')
    late.resolve([])
    // the connection lasts, then drops
    await vi.advanceTimersByTimeAsync(STABLE_MS + 1_000)
    const dials = node.dial.mock.calls.length
    await node.hangUp(FRIEND)
    // redialed after the shortest wait (and the glare deferral: the friend's ID sorts below ours),
    // not after the back-off the failures had built up (8 s at least by then)
    await vi.advanceTimersByTimeAsync(REDIAL_MIN_MS + GLARE_DEFER_MS)
    expect(node.dial.mock.calls.length).toBeGreaterThan(dials)
  })

  it('should still redial when the new connection closes while the dial that made it is finishing', async () => {
    const node = new FakeNode()
    const { messenger } = await start(node)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    let first = true
    node.answer = addr => {
      if (!addr.toString().includes('/webrtc')) return new Error('no relayed path in this test')
      const made = connection('webrtc')
      if (first) {
        first = false
        // the dial reads the path it took: the connection closes meanwhile
        const pc = (made.conn as unknown as { maConn: { peerConnection: { getStats: () => Promise<Map<string, unknown>> } } }).maConn.peerConnection
        pc.getStats = async () => {
          (made.conn as { status: string }).status = 'closed'
          node.listeners.get('connection:close')?.(new CustomEvent('connection:close', { detail: made.conn }))
          return new Map()
        }
      }
      return made.conn
    }
    messenger.watch(FRIEND.toString())
    await vi.advanceTimersByTimeAsync(60_000)
    expect(node.directDials()).toBe(2)
    expect(messenger.linkState(FRIEND.toString())).toBe('direct')
  })

  it('should show TURN on the answering side too, where the browser cannot tell the ICE pair at once (Firefox)', async () => {
    const node = new FakeNode()
    const { messenger } = await start(node)
    const inbound = connection('webrtc')
    const pc = (inbound.conn as unknown as { maConn: { peerConnection: { getStats: () => Promise<Map<string, unknown>> } } }).maConn.peerConnection
    pc.getStats = async () => new Map<string, unknown>([
      ['p', { id: 'p', type: 'candidate-pair', nominated: true, state: 'succeeded', localCandidateId: 'l', remoteCandidateId: 'r' }],
      ['l', { id: 'l', type: 'local-candidate', candidateType: 'relay', relayProtocol: 'udp', address: '10.0.0.5', port: 3478 }],
      ['r', { id: 'r', type: 'remote-candidate', candidateType: 'srflx', address: '10.0.0.7', port: 40000 }]
    ])
    const links: string[] = []
    messenger.addEventListener('link', () => { links.push(messenger.linkState(FRIEND.toString())) })
    // dialed by the friend: no dial of ours read the path
    node.open(inbound.conn)
    await vi.waitFor(() => { expect(messenger.linkState(FRIEND.toString())).toBe('turn') })
    expect(links.at(-1)).toBe('turn')
  })

  it('should back off its upgrades when the direct path they make keeps dying, not try every few seconds for good', async () => {
    const node = new FakeNode()
    const { messenger } = await start(node)
    const carrier = connection('circuit')
    useAsCarrier(carrier.conn)
    node.open(carrier.conn)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    // every direct connection connects, and its path dies a second later
    const flapping = (): Connection => {
      const made = connection('webrtc')
      setTimeout(() => { made.path('disconnected') }, 1_000)
      return made.conn
    }
    node.answer = addr => addr.toString().includes('/webrtc') ? flapping() : connection('circuit').conn
    node.open(flapping())
    expect(messenger.linkState(FRIEND.toString())).toBe('direct')
    await vi.advanceTimersByTimeAsync(120_000)
    // the quick try, then back-off from UPGRADE_MIN_MS (jittered): a handful; each from scratch, 40
    expect(node.directDials()).toBeGreaterThan(1)
    expect(node.directDials()).toBeLessThanOrEqual(6)
  })

  it('should not act on a connection\'s path changes once stopped', async () => {
    const node = new FakeNode()
    const { messenger } = await start(node)
    const direct = connection('webrtc')
    node.open(direct.conn)
    let links = 0
    messenger.addEventListener('link', () => { links++ })
    messenger.stop()
    const sends = node.services.chat.send.mock.calls.length
    links = 0
    direct.path('disconnected')
    direct.path('connected')
    expect(links).toBe(0)
    expect(node.services.chat.send.mock.calls.length).toBe(sends)
  })
})

describe('messenger: frames a peer sent that the chat could not read', () => {
  it('should count them for the diagnostics, and say so in the open conversation once', async () => {
    const node = new FakeNode()
    const { messenger } = await start(node)
    const problems: Array<{ peer: string, message: string }> = []
    messenger.addEventListener('problem', evt => { problems.push(evt.detail) })
    // not open: counted only
    node.unreadable(FRIEND)
    expect(problems).toEqual([])
    messenger.watch(FRIEND.toString())
    node.unreadable(FRIEND)
    node.unreadable(FRIEND)
    expect(problems).toEqual([{ peer: FRIEND.toString(), message: UNREADABLE_NOTICE }])
    expect(messenger.counts().unreadableFrames).toBe(3)
    // a stopped messenger no longer listens
    stopMessenger()
    node.unreadable(FRIEND)
    expect(messenger.counts().unreadableFrames).toBe(3)
  })
})
