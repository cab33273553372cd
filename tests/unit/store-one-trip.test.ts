import { afterEach, describe, expect, it, vi } from 'vitest'
import { openStore, type Store, type StoredMessage } from '../../src/lib/store/index.ts'
import { isRetryable, sameRecord, StaleConversation } from '../../src/lib/store/one-trip.ts'
import { MAX_BATCH as BATCH } from '../../src/lib/state/delivery.ts'
import { ALICE, freshName, freshStore, hexId } from './store-helpers.ts'

afterEach(() => {
  vi.restoreAllMocks()
})

/** The keys this page reads from the messages store (the long way's check for stored copies). */
function watchMessageReads (): unknown[] {
  const reads: unknown[] = []
  const get = IDBObjectStore.prototype.get
  vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(function (this: IDBObjectStore, key) {
    if (this.name === 'messages') reads.push(key)
    return get.call(this, key)
  })
  return reads
}

/** This page's store, after it wrote 'one' (at 100) and then another connection to the same database, as another tab, wrote 'two' (at 200). */
async function writtenInBetween (): Promise<Store> {
  const name = freshName()
  const mine = await openStore({ name })
  const other = await openStore({ name })
  await mine.messages.createOutgoing(ALICE, 'one', 100)
  await other.messages.createOutgoing(ALICE, 'two', 200)
  return mine
}

const incoming = (n: number, text = `m${n}`): { id: string, text: string, sentAt: number, seq: number } =>
  ({ id: hexId(n), text, sentAt: 100 + n, seq: n })

describe('store: writes in one round trip', () => {
  it('should write a message without reading first when this page wrote its conversation last', async () => {
    const { store } = await freshStore()
    await store.messages.saveIncoming(ALICE, incoming(1), { unread: true })
    const reads = watchMessageReads()
    const saved = await store.messages.saveIncoming(ALICE, incoming(2), { unread: true })
    expect(saved.isNew).toBe(true)
    expect(reads).toEqual([])
    expect(await store.conversations.get(ALICE)).toMatchObject({ unread: 2, lastMessageText: 'm2' })
  })

  it('should write a burst-sized batch without reading first too', async () => {
    const { store } = await freshStore()
    await store.messages.saveIncoming(ALICE, incoming(1), { unread: true })
    const reads = watchMessageReads()
    const batch = Array.from({ length: BATCH }, (_, i) => incoming(i + 2))
    const saved = await store.messages.saveIncomingMany(ALICE, batch, { unread: true })
    expect(saved.every(s => s.isNew)).toBe(true)
    expect(reads).toEqual([])
    expect(await store.conversations.get(ALICE)).toMatchObject({ unread: batch.length + 1, lastMessageText: `m${batch.length + 1}` })
  })

  it('should redo a burst-sized batch the long way when another connection wrote in between', async () => {
    const mine = await writtenInBetween()
    const texts = Array.from({ length: BATCH }, (_, i) => `burst ${i}`)
    const created = await mine.messages.createOutgoingMany(ALICE, texts, 300)
    expect(created.map(m => m.seq)).toEqual(texts.map((_, i) => i + 3))
    expect(await mine.conversations.get(ALICE)).toMatchObject({ nextSeq: BATCH + 3, lastMessageText: `burst ${BATCH - 1}` })
    expect(await mine.messages.list(ALICE)).toHaveLength(BATCH + 2)
  })

  it('should keep what another connection wrote in between: seq, preview and all', async () => {
    const name = freshName()
    const mine = await openStore({ name })
    const other = await openStore({ name })
    expect((await mine.messages.createOutgoing(ALICE, 'one', 100)).seq).toBe(1)
    expect((await other.messages.createOutgoing(ALICE, 'two', 200)).seq).toBe(2)
    const third = await mine.messages.createOutgoing(ALICE, 'three', 300)
    expect(third.seq).toBe(3)
    expect(await mine.conversations.get(ALICE)).toMatchObject({ nextSeq: 4, lastMessageText: 'three' })
    expect((await mine.messages.list(ALICE)).map(m => [m.text, m.seq])).toEqual([['one', 1], ['two', 2], ['three', 3]])
  })

  it('should keep a name set in between, and count unread from the stored record', async () => {
    const { store } = await freshStore()
    await store.messages.saveIncoming(ALICE, incoming(1), { unread: true })
    await store.conversations.setName(ALICE, 'Alice')
    await store.conversations.markRead(ALICE)
    await store.messages.saveIncoming(ALICE, incoming(2), { unread: true })
    expect(await store.conversations.get(ALICE)).toMatchObject({ name: 'Alice', unread: 1, lastMessageText: 'm2' })
  })

  it('should store a copy sent again after a lost ack only once', async () => {
    const { store } = await freshStore()
    await store.messages.saveIncoming(ALICE, incoming(1, 'first'), { unread: true })
    await store.messages.saveIncoming(ALICE, incoming(2, 'second'), { unread: true })
    const [again, fresh] = await store.messages.saveIncomingMany(ALICE, [incoming(1, 'changed'), incoming(3, 'third')], { unread: true })
    expect(again).toMatchObject({ isNew: false, message: { text: 'first' } })
    expect(fresh).toMatchObject({ isNew: true, message: { text: 'third' } })
    expect(await store.conversations.get(ALICE)).toMatchObject({ unread: 3, lastMessageText: 'third' })
    expect((await store.messages.list(ALICE)).map(m => m.text)).toEqual(['first', 'second', 'third'])
  })
})

describe('store: new messages handed over while their write is on its way', () => {
  it('should hand them over before the write commits, when it goes in one round trip', async () => {
    const { store } = await freshStore()
    await store.messages.createOutgoing(ALICE, 'first', 100)
    const events: string[] = []
    const transaction = IDBDatabase.prototype.transaction
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      const tx = transaction.apply(this, args)
      tx.addEventListener('complete', () => { events.push('committed') })
      return tx
    })
    const created = await store.messages.createOutgoingMany(ALICE, ['a', 'b'], 200, writing => {
      events.push(`writing ${writing.map(m => m.text).join(' ')}`)
      return true
    })
    expect(events).toEqual(['writing a b', 'committed'])
    expect((await store.messages.list(ALICE)).map(m => m.id).slice(1)).toEqual(created.map(m => m.id))
  })

  it('should hand them over just before the write\'s requests are made, in the same task', async () => {
    const { store } = await freshStore()
    await store.messages.createOutgoing(ALICE, 'first', 100)
    const events: string[] = []
    const add = IDBObjectStore.prototype.add
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(function (this: IDBObjectStore, value: any, key?: IDBValidKey) {
      if (typeof value?.text === 'string') events.push(`add ${value.text as string}`)
      return add.call(this, value, key)
    })
    await store.messages.createOutgoingMany(ALICE, ['a', 'b'], 200, writing => {
      events.push(`writing ${writing.map(m => m.text).join(' ')}`)
      // runs once the task's synchronous part is over: the requests must be made by then
      queueMicrotask(() => { events.push('next microtask') })
      return true
    })
    expect(events).toEqual(['writing a b', 'add a', 'add b', 'next microtask'])
  })

  it('should not hand them over when the write has to read its conversation first', async () => {
    const { store } = await freshStore()
    const writing = vi.fn(() => true)
    await store.messages.createOutgoingMany(ALICE, ['a'], 100, writing)
    expect(writing).not.toHaveBeenCalled()
  })

  it('should write messages that went out with the times and seqs they went out with, when another connection wrote in between', async () => {
    const mine = await writtenInBetween()
    let sent: StoredMessage[] = []
    const created = await mine.messages.createOutgoingMany(ALICE, ['three', 'four'], 150, writing => {
      sent = writing
      return true
    })
    // planned from what this page wrote last: after 'one'
    expect(sent.map(m => [m.seq, m.sentAt])).toEqual([[2, 150], [3, 151]])
    expect(created).toEqual(sent)
    expect((await mine.messages.list(ALICE)).map(m => m.text)).toEqual(['one', 'three', 'four', 'two'])
    // the next one comes after all of them
    expect(await mine.messages.createOutgoing(ALICE, 'five', 160)).toMatchObject({ seq: 4, sentAt: 201 })
  })

  it('should plan again what did not go out, when another connection wrote in between', async () => {
    const mine = await writtenInBetween()
    const created = await mine.messages.createOutgoingMany(ALICE, ['three'], 150, () => false)
    expect(created.map(m => [m.seq, m.sentAt])).toEqual([[3, 201]])
  })
})

describe('store: a batch written while the one before commits', () => {
  /** Each transaction's begin and end, in the order they happen. */
  function watchTransactions (): string[] {
    const events: string[] = []
    let n = 0
    const transaction = IDBDatabase.prototype.transaction
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      const tx = transaction.apply(this, args)
      const name = `tx${++n}`
      if (tx.mode === 'readwrite') {
        events.push(`${name} begun`)
        tx.addEventListener('complete', () => { events.push(`${name} committed`) })
        tx.addEventListener('abort', () => { events.push(`${name} aborted`) })
      }
      return tx
    })
    return events
  }

  it('should hand the next batch to the database before the one before commits, planned from it', async () => {
    const { store } = await freshStore()
    await store.messages.createOutgoing(ALICE, 'first', 100)
    const events = watchTransactions()
    const writing = (label: string) => (messages: StoredMessage[]): boolean => {
      events.push(`${label} handed over`)
      return messages.length > 0
    }
    const [a, b] = await Promise.all([
      store.messages.createOutgoingMany(ALICE, ['a1', 'a2'], 200, writing('a')),
      store.messages.createOutgoingMany(ALICE, ['b1'], 200, writing('b'))
    ])
    expect(events.slice(0, 4)).toEqual(['a handed over', 'tx1 begun', 'b handed over', 'tx2 begun'])
    expect(events.slice(4)).toEqual(['tx1 committed', 'tx2 committed'])
    expect([...a, ...b].map(m => [m.text, m.seq, m.sentAt])).toEqual([['a1', 2, 200], ['a2', 3, 201], ['b1', 4, 202]])
    expect(await store.conversations.get(ALICE)).toMatchObject({ nextSeq: 5, lastMessageText: 'b1' })
  })

  it('should wait for the long way to be planned before planning the next batch from it', async () => {
    const { store } = await freshStore()
    const reads = watchMessageReads()
    // nothing written by this page yet: the first batch reads its conversation and looks for stored copies
    const [a, b] = await Promise.all([
      store.messages.saveIncomingMany(ALICE, [incoming(1), incoming(2)], { unread: true }),
      store.messages.saveIncomingMany(ALICE, [incoming(3)], { unread: true })
    ])
    expect(reads).toHaveLength(2)
    expect([...a, ...b].every(s => s.isNew)).toBe(true)
    expect(await store.conversations.get(ALICE)).toMatchObject({ unread: 3, lastMessageText: 'm3' })
  })

  it('should redo both the long way when the first was planned from a stale guess, keeping what went out', async () => {
    const mine = await writtenInBetween()
    const events = watchTransactions()
    const sent = (): boolean => true
    const [a, b] = await Promise.all([
      mine.messages.createOutgoingMany(ALICE, ['a1', 'a2'], 150, sent),
      mine.messages.createOutgoingMany(ALICE, ['b1'], 150, sent)
    ])
    // both one round trip first, both rolled back: the second was planned from the first
    expect(events.filter(e => e.endsWith('aborted'))).toEqual(['tx1 aborted', 'tx2 aborted'])
    expect(events.filter(e => e.endsWith('committed'))).toHaveLength(2)
    expect([...a, ...b].map(m => [m.text, m.seq])).toEqual([['a1', 2], ['a2', 3], ['b1', 4]])
    expect((await mine.messages.list(ALICE)).map(m => m.text)).toEqual(['one', 'a1', 'a2', 'b1', 'two'])
    // the last long way left the conversation known again: the next write goes in one round trip
    const next = vi.fn(() => true)
    expect((await mine.messages.createOutgoingMany(ALICE, ['c'], 300, next))[0]).toMatchObject({ seq: 5, sentAt: 300 })
    expect(next).toHaveBeenCalledOnce()
  })
})

describe('isRetryable', () => {
  it('should redo a stale guess, a stored copy and a roll-back without a reason, and nothing else', () => {
    expect(isRetryable(new StaleConversation())).toBe(true)
    expect(isRetryable(new DOMException('Key already exists', 'ConstraintError'))).toBe(true)
    expect(isRetryable(new DOMException('AbortError', 'AbortError'))).toBe(true)
    expect(isRetryable(new DOMException('Quota exceeded', 'QuotaExceededError'))).toBe(false)
    expect(isRetryable(new Error('AbortError'))).toBe(false)
  })
})

describe('sameRecord', () => {
  it('should tell records apart by any field, a missing one included', () => {
    const base = { peer: ALICE, unread: 0, nextSeq: 1 }
    expect(sameRecord({ ...base }, base)).toBe(true)
    expect(sameRecord(undefined, base)).toBe(false)
    expect(sameRecord({ ...base, unread: 1 }, base)).toBe(false)
    expect(sameRecord({ ...base, name: 'x' }, base)).toBe(false)
    expect(sameRecord(base, { ...base, name: 'x' })).toBe(false)
    expect(sameRecord({ peer: ALICE, unread: 0, name: 1 }, base)).toBe(false)
  })
})
