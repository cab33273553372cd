import 'fake-indexeddb/auto'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ACK_TIMEOUT_MS, Delivery } from '../../src/lib/state/delivery.ts'
import { MAX_DELIVERY_DELAY_MS } from '../../src/lib/state/inbox.ts'
import { SentNotSavedError } from '../../src/lib/state/errors.ts'
import { showsNothing } from '../../src/lib/shared/invisible.ts'
import { StorageFullError } from '../../src/lib/store/errors.ts'
import { compareMessages, openStore, type Store, type StoredMessage } from '../../src/lib/store/index.ts'
import { decodeFrame, encodeFrame, MAX_IDS_PER_FRAME, type ChatFrame } from '../../src/lib/p2p/chat/index.ts'
import { MAX_BATCH } from '../../src/lib/state/batch-size.ts'

const A = '12D3KooWAliceAliceAliceAliceAliceAliceAliceAliceAlic'
const B = '12D3KooWBobBobBobBobBobBobBobBobBobBobBobBobBobBobBo'
let dbCounter = 0

interface InFlight { from: string, to: string, frame: ChatFrame }

/**
 * Two peers joined by a network the test controls frame by frame: it can hold
 * frames back, deliver them in any order, drop or duplicate them, cut the
 * link, and restart either side over its stored data (a page reload).
 */
class Lab {
  readonly inFlight: InFlight[] = []
  connected = true
  clock = 1_000_000
  readonly stores = new Map<string, Store>()
  readonly sides = new Map<string, Delivery>()
  sent = 0
  /** sends resolve once this does: frames are on their way, but the sender does not know yet */
  written: Promise<void> = Promise.resolve()

  async setup (): Promise<void> {
    for (const peer of [A, B]) this.stores.set(peer, await openStore({ name: `delivery-${++dbCounter}` }))
    for (const peer of [A, B]) this.start(peer)
  }

  start (self: string): void {
    const other = self === A ? B : A
    const delivery = new Delivery({
      store: this.stores.get(self)!,
      transport: {
        usable: () => this.connected,
        send: async (_peer, frame) => {
          if (!this.connected) throw new Error('not connected')
          this.inFlight.push({ from: self, to: other, frame })
          await this.written
        }
      },
      isReading: () => false,
      name: () => '',
      readReceipts: () => false,
      now: () => this.clock
    })
    this.sides.set(self, delivery)
  }

  side (peer: string): Delivery {
    return this.sides.get(peer)!
  }

  /** The receiving side sees the frame from the other one: the peer of the connection. */
  async deliver (index: number): Promise<void> {
    const [item] = this.inFlight.splice(index, 1)
    if (item != null) await this.side(item.to).receive(item.from, item.frame)
  }

  async reconnect (): Promise<void> {
    this.connected = true
    await Promise.all([this.side(A).greet(B), this.side(B).greet(A)])
  }

  async restart (peer: string): Promise<void> {
    this.side(peer).stop()
    this.start(peer)
    if (this.connected) await this.side(peer).greet(peer === A ? B : A)
  }

  /** Heal the network and let retries run until nothing is left in flight or waiting. */
  async settle (): Promise<void> {
    await this.reconnect()
    for (let round = 0; round < 50; round++) {
      while (this.inFlight.length > 0) await this.deliver(0)
      this.clock += ACK_TIMEOUT_MS
      await Promise.all([this.side(A).flush(B), this.side(B).flush(A)])
      if (this.inFlight.length === 0) return
    }
    throw new Error('delivery did not settle in 50 rounds')
  }

  async dispose (): Promise<void> {
    for (const d of this.sides.values()) d.stop()
    // let flushes already under way finish before their stores close
    await Promise.all([...this.sides.entries()].map(async ([peer, d]) => await d.flush(peer === A ? B : A).catch(() => {})))
    for (const s of this.stores.values()) s.close()
  }
}

/**
 * A lab where A has sent B a first message, delivered: the first write on
 * each side reads its conversation first, and from then on the store knows
 * it, so writes go in one round trip.
 */
async function afterFirstMessage (): Promise<Lab> {
  const lab = new Lab()
  await lab.setup()
  await lab.side(A).send(B, 'first')
  while (lab.inFlight.length > 0) await lab.deliver(0)
  return lab
}

type Step =
  | { kind: 'send', from: 0 | 1, text: string }
  | { kind: 'deliver' | 'drop' | 'duplicate', at: number }
  | { kind: 'disconnect' | 'reconnect' | 'tick' }
  | { kind: 'restart', side: 0 | 1 }

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('send' as const), from: fc.constantFrom(0 as const, 1 as const), text: fc.string({ minLength: 1, maxLength: 20 }).filter(text => !showsNothing(text)) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('drop' as const, 'duplicate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('disconnect' as const, 'reconnect' as const, 'tick' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), side: fc.constantFrom(0 as const, 1 as const) }) }
)

async function run (lab: Lab, s: Step): Promise<void> {
  const peers = [A, B]
  const pick = (at: number): number => at % lab.inFlight.length
  switch (s.kind) {
    case 'send':
      await lab.side(peers[s.from]).send(peers[1 - s.from], s.text)
      await lab.side(peers[s.from]).flush(peers[1 - s.from])
      lab.sent++
      break
    case 'deliver':
      if (lab.inFlight.length > 0) await lab.deliver(pick(s.at))
      break
    case 'drop':
      if (lab.inFlight.length > 0) lab.inFlight.splice(pick(s.at), 1)
      break
    case 'duplicate':
      if (lab.inFlight.length > 0) lab.inFlight.push(lab.inFlight[pick(s.at)])
      break
    case 'disconnect':
      lab.connected = false
      break
    case 'reconnect':
      await lab.reconnect()
      break
    case 'tick':
      lab.clock += ACK_TIMEOUT_MS
      await Promise.all([lab.side(A).flush(B), lab.side(B).flush(A)])
      break
    case 'restart':
      await lab.restart(peers[s.side])
      break
  }
}

/** What both sides must agree on: the messages themselves, in display order. */
function shape (messages: StoredMessage[]): string[] {
  return [...messages].sort(compareMessages).map(m => `${m.id} ${m.sentAt} ${m.seq} ${m.text}`)
}

describe('delivery: at-least-once transport, exactly-once storage', () => {
  let lab: Lab | undefined
  afterEach(async () => {
    vi.useRealTimers()
    await lab?.dispose()
  })

  it('should end with every message delivered exactly once, in the same order on both sides, whatever the network does', async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async steps => {
      lab = new Lab()
      await lab.setup()
      for (const s of steps) await run(lab, s)
      await lab.settle()

      const atA = await lab.stores.get(A)!.messages.list(B)
      const atB = await lab.stores.get(B)!.messages.list(A)
      expect(atA).toHaveLength(lab.sent)
      expect(shape(atA)).toEqual(shape(atB))
      // what the store lists is already in display order
      expect(atA.map(m => m.id)).toEqual([...atA].sort(compareMessages).map(m => m.id))
      for (const m of [...atA, ...atB].filter(m => m.direction === 'out')) {
        expect(m.status).toBe('delivered')
      }
      // each sender's messages show in its sequence order
      for (const list of [atA, atB]) {
        for (const dir of ['in', 'out']) {
          const seqs = list.filter(m => m.direction === dir).map(m => m.seq)
          expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
        }
      }
      await lab.dispose()
      lab = undefined
    }), { numRuns: 40 })
  })

  it('should acknowledge only after storing, and a duplicate again, without storing it twice', async () => {
    lab = new Lab()
    await lab.setup()
    await lab.side(A).send(B, 'hello')
    await lab.side(A).flush(B)
    const text = lab.inFlight.find(f => f.frame.type === 'text')!
    lab.inFlight.push(text)
    await lab.deliver(0)
    await lab.deliver(0)
    const acks = lab.inFlight.filter(f => f.frame.type === 'ack' && f.from === B)
    expect(acks).toHaveLength(2)
    expect(await lab.stores.get(B)!.messages.list(A)).toHaveLength(1)
    // the diagnostics count the copy that was dropped
    expect(lab.side(B).duplicates).toBe(1)
  })

  it('should not acknowledge a message that arrives once its store is closed (an upgrade in another tab), so its sender keeps it', async () => {
    lab = new Lab()
    await lab.setup()
    await lab.side(A).send(B, 'hello')
    await lab.side(A).flush(B)
    lab.stores.get(B)!.close()
    await expect(lab.deliver(lab.inFlight.findIndex(f => f.frame.type === 'text'))).rejects.toThrow(/Storage is closed/)
    expect(lab.inFlight.filter(f => f.from === B)).toEqual([])
    const [sent] = await lab.stores.get(A)!.messages.list(B)
    expect(sent.status).not.toMatch(/delivered|read/)
  })

  it('should ignore acks and receipts for ids it never sent', async () => {
    lab = new Lab()
    await lab.setup()
    const mine = await lab.side(A).send(B, 'mine')
    await lab.side(A).receive(B, { type: 'ack', ids: [new Uint8Array(16).fill(7)] })
    await lab.side(A).receive(B, { type: 'read', ids: [new Uint8Array(16).fill(9)] })
    const [stored] = await lab.stores.get(A)!.messages.list(B)
    expect(stored.id).toBe(mine.id)
    expect(['queued', 'sent']).toContain(stored.status)
  })

  it('should write the sent state after a while, and not at all when the ack came first', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    lab = new Lab()
    await lab.setup()
    const store = lab.stores.get(A)!
    const writes: string[] = []
    const setStatus = store.messages.setStatus.bind(store.messages)
    store.messages.setStatus = async (peer, direction, ids, status, options) => {
      writes.push(`${status} ${ids.length}`)
      return await setStatus(peer, direction, ids, status, options)
    }
    const unacked = await lab.side(A).send(B, 'nobody acks this one')
    lab.inFlight.splice(0)
    const shownSent = new Promise<void>(resolve => {
      lab!.side(A).addEventListener('messages', evt => {
        if (evt.detail.messages.some(m => m.text === 'this one is acked at once' && m.status === 'sent')) resolve()
      })
    })
    await lab.side(A).send(B, 'this one is acked at once')
    await shownSent
    const acked = (await store.messages.list(B)).find(m => m.text === 'this one is acked at once')!
    await lab.deliver(0)
    await lab.deliver(0)
    const status = async (id: string): Promise<string | undefined> => (await store.messages.list(B)).find(m => m.id === id)?.status
    expect(await status(acked.id)).toBe('delivered')
    expect(await status(unacked.id)).toBe('queued')
    await vi.advanceTimersByTimeAsync(ACK_TIMEOUT_MS - 100)
    expect(await status(unacked.id)).toBe('queued')
    await vi.advanceTimersByTimeAsync(200)
    expect(await status(unacked.id)).toBe('sent')
    expect(await status(acked.id)).toBe('delivered')
    // one write for the ack, one (later) for the message nobody acked
    expect(writes).toEqual(['delivered 1', 'sent 1'])
  })

  it('should keep a message queued while the peer is unreachable and send it on reconnect', async () => {
    lab = new Lab()
    await lab.setup()
    lab.connected = false
    await lab.side(A).send(B, 'later')
    expect(lab.inFlight).toHaveLength(0)
    expect((await lab.stores.get(A)!.messages.outbox(B)).map(m => m.status)).toEqual(['queued'])
    await lab.restart(A)
    await lab.settle()
    expect((await lab.stores.get(A)!.messages.list(B)).map(m => m.status)).toEqual(['delivered'])
    expect((await lab.stores.get(B)!.messages.list(A)).map(m => m.text)).toEqual(['later'])
  })

  it('should write a burst in a few batches, not one transaction per message', async () => {
    lab = new Lab()
    await lab.setup()
    const store = lab.stores.get(B)!
    let calls = 0
    const original = store.messages.saveIncomingMany.bind(store.messages)
    store.messages.saveIncomingMany = async (...args) => { calls++; return await original(...args) }
    await Promise.all(Array.from({ length: 1000 }, async (_, i) => await lab!.side(A).send(B, `m${i}`)))
    await lab.side(A).flush(B)
    await Promise.all(lab.inFlight.splice(0).map(async f => await lab!.side(f.to).receive(f.from, f.frame)))
    expect(await store.messages.list(A)).toHaveLength(1000)
    expect(calls).toBeLessThanOrEqual(10)
  })

  it('should ack a batch larger than one frame holds in frames the codec accepts, each message once', async () => {
    expect(MAX_BATCH).toBeGreaterThan(MAX_IDS_PER_FRAME)
    lab = new Lab()
    await lab.setup()
    const count = MAX_BATCH
    await Promise.all(Array.from({ length: count }, async (_, i) => await lab!.side(A).send(B, `m${i}`)))
    await lab.side(A).flush(B)
    // all at once, as a burst arrives: the receiver stores them in one batch
    await Promise.all(lab.inFlight.splice(0).map(async f => await lab!.side(f.to).receive(f.from, f.frame)))
    const acks = lab.inFlight.filter(f => f.from === B).map(f => f.frame)
    expect(acks.length).toBeGreaterThan(1)
    // each one as the wire carries it: a frame over the limit would not encode, or not decode at the sender
    const ids = acks.flatMap(frame => {
      const wire = decodeFrame(encodeFrame(frame))
      return wire.type === 'ack' ? wire.ids.map(id => id.join()) : []
    })
    expect(ids).toHaveLength(count)
    expect(new Set(ids).size).toBe(count)
    while (lab.inFlight.length > 0) await lab.deliver(0)
    const sent = await lab.stores.get(A)!.messages.list(B)
    expect(sent.filter(m => m.status === 'delivered')).toHaveLength(count)
  })

  it('should write the ack of a message it sent without reading the message back', async () => {
    lab = new Lab()
    await lab.setup()
    const store = lab.stores.get(A)!
    const held: Array<string | undefined> = []
    const setStatus = store.messages.setStatus.bind(store.messages)
    store.messages.setStatus = async (peer, direction, ids, status, options) => {
      held.push(...ids.map(id => options?.stored?.get(id)?.text))
      return await setStatus(peer, direction, ids, status, options)
    }
    await Promise.all(['one', 'two'].map(async text => await lab!.side(A).send(B, text)))
    while (lab.inFlight.length > 0) await lab.deliver(0)
    expect(held).toEqual(['one', 'two'])
    expect((await store.messages.list(B)).map(m => m.status)).toEqual(['delivered', 'delivered'])
  })

  it('should not send again a message acked while a flush was reading the outbox', async () => {
    lab = new Lab()
    await lab.setup()
    await lab.side(A).send(B, 'acked mid-flush')
    await lab.deliver(0)
    expect(lab.inFlight.map(f => f.frame.type)).toEqual(['ack'])
    // the flush's read is taken before the ack lands, and its result comes back after
    const store = lab.stores.get(A)!
    const outbox = store.messages.outbox.bind(store.messages)
    let read!: () => void
    const taken = new Promise<void>(resolve => { read = resolve })
    let release!: () => void
    const held = new Promise<void>(resolve => { release = resolve })
    store.messages.outbox = async peer => {
      const snapshot = await outbox(peer)
      read()
      await held
      return snapshot
    }
    lab.clock += ACK_TIMEOUT_MS
    const flushing = lab.side(A).flush(B)
    await taken
    await lab.deliver(0)
    release()
    await flushing
    expect(lab.inFlight).toEqual([])
    expect(lab.side(B).duplicates).toBe(0)
    expect((await outbox(B)).length).toBe(0)
  })

  it('should go on resending an unacked message after the wall clock is set back', async () => {
    lab = new Lab()
    await lab.setup()
    await lab.side(A).send(B, 'its frame is lost')
    lab.inFlight.splice(0)
    // the user (or the time service) puts the clock back an hour; timers run on
    lab.clock -= 3_600_000
    for (let i = 0; i < 3; i++) {
      lab.clock += ACK_TIMEOUT_MS
      await lab.side(A).flush(B)
    }
    expect(lab.inFlight.filter(f => f.frame.type === 'text')).toHaveLength(3)
  })

  it('should go on resending after a flush could not read the outbox once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      lab = new Lab()
      await lab.setup()
      await lab.side(A).send(B, 'its frame is lost')
      await vi.advanceTimersByTimeAsync(10)
      lab.inFlight.splice(0)
      const messages = lab.stores.get(A)!.messages
      const outbox = messages.outbox.bind(messages)
      let failures = 1
      messages.outbox = async peer => {
        if (failures-- > 0) throw new DOMException('a passing storage error', 'UnknownError')
        return await outbox(peer)
      }
      const problems: string[] = []
      lab.side(A).addEventListener('problem', evt => { problems.push(evt.detail.message) })
      // the first retry finds the outbox unreadable; a later one must still resend
      for (let i = 0; i < 3; i++) {
        lab.clock += ACK_TIMEOUT_MS
        await vi.advanceTimersByTimeAsync(ACK_TIMEOUT_MS)
      }
      expect(problems).toEqual(['a passing storage error'])
      expect(lab.inFlight.map(f => f.frame.type)).toContain('text')
    } finally {
      vi.useRealTimers()
    }
  })

  it('should take a message sent from the future as sent now, so it cannot pin itself above later ones', async () => {
    lab = new Lab()
    await lab.setup()
    const future: ChatFrame = { type: 'text', id: new Uint8Array(16).fill(9), sentAt: Number.MAX_SAFE_INTEGER, seq: 1, text: 'pinned?' }
    await lab.side(B).receive(A, future)
    const received = lab.clock
    // a clock a few seconds ahead is only a clock: its time is kept
    const ahead: ChatFrame = { type: 'text', id: new Uint8Array(16).fill(8), sentAt: received + 5000, seq: 2, text: 'a bit ahead' }
    await lab.side(B).receive(A, ahead)
    lab.clock += 10_000
    await lab.side(B).send(A, 'a later reply')
    const store = lab.stores.get(B)!
    const thread = await store.messages.list(A)
    expect(thread.map(m => [m.text, m.sentAt])).toEqual([['pinned?', received], ['a bit ahead', received + 5000], ['a later reply', received + 10_000]])
    const [conversation] = await store.conversations.list()
    expect(conversation.lastMessageText).toBe('a later reply')
  })

  it('should take a message dated before any delivery delay as sent that long ago, keeping the order of a burst', async () => {
    lab = new Lab()
    lab.clock = Date.UTC(2026, 11, 5, 12)
    await lab.setup()
    const received = lab.clock
    // a send time of 0 is 1970: the message would be dated so, and sorted before all of the thread
    await lab.side(B).receive(A, { type: 'text', id: new Uint8Array(16).fill(0xf0), sentAt: 0, seq: 1, text: 'from 1970?' })
    await lab.side(B).receive(A, { type: 'text', id: new Uint8Array(16).fill(0x01), sentAt: 1, seq: 2, text: 'and after it' })
    // a message that waited a week in its sender's outbox keeps its time
    const week = received - 7 * 86_400_000
    await lab.side(B).receive(A, { type: 'text', id: new Uint8Array(16).fill(0x80), sentAt: week, seq: 3, text: 'a week late' })
    const thread = await lab.stores.get(B)!.messages.list(A)
    const floor = received - MAX_DELIVERY_DELAY_MS
    expect(thread.map(m => [m.text, m.sentAt])).toEqual([['from 1970?', floor], ['and after it', floor + 1], ['a week late', week]])
  })

  it('should show a burst from a clock that runs fast in the order it came in', async () => {
    lab = new Lab()
    await lab.setup()
    const ahead = lab.clock + 600_000
    // handled within one millisecond, with ids that sort the other way round
    await Promise.all([0xf0, 0x80, 0x01].map(async (byte, i) => {
      await lab!.side(B).receive(A, { type: 'text', id: new Uint8Array(16).fill(byte), sentAt: ahead + i, seq: i + 1, text: `#${i + 1}` })
    }))
    const thread = await lab.stores.get(B)!.messages.list(A)
    expect(thread.map(m => m.text)).toEqual(['#1', '#2', '#3'])
    expect(thread.every(m => m.sentAt < ahead)).toBe(true)
  })

  it('should not resend a message whose ack came in before a resend read the outbox, while that ack is still being written', async () => {
    lab = new Lab()
    await lab.setup()
    await lab.side(A).send(B, 'acked, not yet written')
    await lab.deliver(0)
    expect(lab.inFlight.map(f => f.frame.type)).toEqual(['ack'])
    const messages = lab.stores.get(A)!.messages
    const setStatus = messages.setStatus.bind(messages)
    let release!: () => void
    const held = new Promise<void>(resolve => { release = resolve })
    // under a burst the status writes queue behind each other: this one waits
    messages.setStatus = async (...args) => { await held; return await setStatus(...args) }
    const acking = lab.deliver(0)
    lab.clock += ACK_TIMEOUT_MS
    await lab.side(A).flush(B)
    const resent = lab.inFlight.map(f => f.frame.type)
    release()
    await acking
    expect(resent).toEqual([])
    expect((await messages.list(B)).map(m => m.status)).toEqual(['delivered'])
  })

  it('should refuse a message the store refuses on its own, storing and acking the good ones batched with it', async () => {
    lab = new Lab()
    await lab.setup()
    // the codec refuses seq 0 now; this stands for any message it lets through and the store does not take
    const bad: ChatFrame = { type: 'text', id: new Uint8Array(16).fill(1), sentAt: 5, seq: 0, text: 'bad' }
    const good: ChatFrame = { type: 'text', id: new Uint8Array(16).fill(2), sentAt: 6, seq: 1, text: 'good' }
    const outcomes = await Promise.allSettled([lab.side(B).receive(A, good), lab.side(B).receive(A, bad)])
    expect(outcomes.map(o => o.status)).toEqual(['fulfilled', 'rejected'])
    expect((await lab.stores.get(B)!.messages.list(A)).map(m => m.text)).toEqual(['good'])
    const acks = lab.inFlight.filter(f => f.frame.type === 'ack')
    expect(acks.flatMap(f => f.frame.type === 'ack' ? f.frame.ids.map(id => id[0]) : [])).toEqual([2])
  })

  it('should keep the state of a message acked before its sender knew it was written', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    lab = new Lab()
    await lab.setup()
    let written!: () => void
    lab.written = new Promise(resolve => { written = resolve })
    await lab.side(A).send(B, 'acked early')
    while (lab.inFlight.length > 0) await lab.deliver(0)
    const status = async (): Promise<string[]> => (await lab!.stores.get(A)!.messages.list(B)).map(m => m.status)
    expect(await status()).toEqual(['delivered'])
    written()
    // past the time a 'sent' state would be written for a message still unacked
    await vi.advanceTimersByTimeAsync(ACK_TIMEOUT_MS + 100)
    expect(await status()).toEqual(['delivered'])
  })

  it('should send a new message while its write is on its way, not once it committed', async () => {
    lab = await afterFirstMessage()
    const store = lab.stores.get(A)!
    const create = store.messages.createOutgoingMany.bind(store.messages)
    const framesOnceStored: number[] = []
    store.messages.createOutgoingMany = async (...args) => {
      const created = await create(...args)
      framesOnceStored.push(lab!.inFlight.filter(f => f.frame.type === 'text').length)
      return created
    }
    await lab.side(A).send(B, 'second')
    expect(framesOnceStored).toEqual([1])
    while (lab.inFlight.length > 0) await lab.deliver(0)
    expect((await store.messages.list(B)).map(m => [m.text, m.status])).toEqual([['first', 'delivered'], ['second', 'delivered']])
    expect((await lab.stores.get(B)!.messages.list(A)).map(m => m.text)).toEqual(['first', 'second'])
  })

  it('should show a new message while its write commits, and ack it only once it is stored', async () => {
    lab = await afterFirstMessage()
    const seen: string[] = []
    const receiver = lab.side(B)
    receiver.addEventListener('arriving', evt => {
      // shown before the ack, which waits for the commit
      const acked = lab!.inFlight.some(f => f.from === B && f.frame.type === 'ack')
      seen.push(`arriving ${evt.detail.messages.map(m => m.text).join()} ${acked ? 'acked' : 'not acked'}`)
    })
    receiver.addEventListener('messages', evt => { seen.push(`stored ${evt.detail.messages.map(m => m.text).join()}`) })
    await lab.side(A).send(B, 'second')
    while (lab.inFlight.length > 0) await lab.deliver(0)
    expect(seen).toEqual(['arriving second not acked', 'stored second'])
  })

  it('should take back a message shown while its write committed when that write fails, and not ack it', async () => {
    lab = await afterFirstMessage()
    const store = lab.stores.get(B)!
    const save = store.messages.saveIncomingMany.bind(store.messages)
    // the commit is asked for, and then the disk is full
    store.messages.saveIncomingMany = async (peer, msgs, options) => {
      options.committing?.(msgs.map(m => ({ peer, direction: 'in', id: m.id, text: m.text, sentAt: m.sentAt, storedAt: lab!.clock, seq: m.seq, status: 'delivered' })))
      throw new StorageFullError()
    }
    const arriving: string[] = []
    const withdrawn: string[] = []
    lab.side(B).addEventListener('arriving', evt => { arriving.push(...evt.detail.messages.map(m => m.id)) })
    lab.side(B).addEventListener('withdrawn', evt => { withdrawn.push(...evt.detail.ids) })
    await lab.side(A).send(B, 'second')
    const frame = lab.inFlight.findIndex(f => f.frame.type === 'text')
    await expect(lab.deliver(frame)).rejects.toThrow(StorageFullError)
    expect(arriving).toHaveLength(1)
    expect(withdrawn).toEqual(arriving)
    expect(lab.inFlight.some(f => f.from === B && f.frame.type === 'ack')).toBe(false)
    // with room again, the sender's resend stores it
    store.messages.saveIncomingMany = save
    await lab.settle()
    expect((await store.messages.list(A)).map(m => m.text)).toEqual(['first', 'second'])
  })

  it('should say a message went out but was not saved when storage fills as it is sent, so its text is not offered again', async () => {
    lab = new Lab()
    await lab.setup()
    // the first write reads its conversation first; from then on a new message goes out while it is written
    await lab.side(A).send(B, 'first')
    while (lab.inFlight.length > 0) await lab.deliver(0)
    const put = IDBObjectStore.prototype.put
    // what browsers do when quota runs out at commit: the whole transaction aborts with that error
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      const request = put.apply(this, args)
      ;(this.transaction as unknown as { _abort: (name: string) => void })._abort('QuotaExceededError')
      return request
    })
    try {
      await expect(lab.side(A).send(B, 'second')).rejects.toBeInstanceOf(SentNotSavedError)
      expect(lab.inFlight.map(f => f.frame.type === 'text' ? f.frame.text : f.frame.type)).toEqual(['second'])
      // with the peer out of reach nothing went out: the text goes back to be sent again
      lab.connected = false
      await expect(lab.side(A).send(B, 'third')).rejects.toBeInstanceOf(StorageFullError)
    } finally {
      vi.restoreAllMocks()
    }
    while (lab.inFlight.length > 0) await lab.deliver(0)
    expect((await lab.stores.get(B)!.messages.list(A)).map(m => m.text)).toEqual(['first', 'second'])
    expect((await lab.stores.get(A)!.messages.list(B)).map(m => m.text)).toEqual(['first'])
  })

  it('should send nothing from a greeting that ends after stop', async () => {
    const store = await openStore({ name: `delivery-${++dbCounter}` })
    const frames: ChatFrame[] = []
    const delivery = new Delivery({
      store,
      transport: { usable: () => true, send: async (_peer, frame) => { frames.push(frame) } },
      isReading: () => false,
      name: () => 'Alice',
      readReceipts: () => true
    })
    // a dial that was under way when the page stopped its messenger greets on arrival
    const greeting = delivery.greet(B)
    delivery.stop()
    await greeting
    expect(frames).toEqual([])
    store.close()
  })
})
