import { afterEach, describe, expect, it, vi } from 'vitest'
import { openStore } from '../../src/lib/store/index.ts'
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
    const name = freshName()
    const mine = await openStore({ name })
    const other = await openStore({ name })
    await mine.messages.createOutgoing(ALICE, 'one', 100)
    await other.messages.createOutgoing(ALICE, 'two', 200)
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
