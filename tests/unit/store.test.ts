import { afterEach, describe, expect, it, vi } from 'vitest'
import { openStore, type StoredMessage } from '../../src/lib/store/index.ts'
import { isMessageId } from '../../src/lib/store/ids.ts'
import { ALICE, BOB, CAROL, freshName, freshStore, hexId } from './store-helpers.ts'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('store: identity and profile', () => {
  it('should keep the identity key and profile across close and reopen', async () => {
    const name = freshName()
    const first = await openStore({ name })
    expect(await first.identity.load()).toBeUndefined()
    expect(await first.profile.load()).toBeUndefined()
    await first.identity.save(new Uint8Array([1, 2, 3, 4]))
    await first.profile.save({ name: 'Ada' })
    first.close()

    const second = await openStore({ name })
    expect(await second.identity.load()).toEqual(new Uint8Array([1, 2, 3, 4]))
    expect(await second.profile.load()).toEqual({ name: 'Ada' })
    second.close()
  })

  it('should store only the bytes of a key given as a view into a larger buffer', async () => {
    const { store } = await freshStore()
    const buffer = new Uint8Array([9, 9, 1, 2, 3, 9, 9])
    await store.identity.save(buffer.subarray(2, 5))
    const loaded = await store.identity.load()
    expect(loaded).toEqual(new Uint8Array([1, 2, 3]))
    expect(loaded?.buffer.byteLength).toBe(3)
  })
})

describe('store: conversations', () => {
  it('should remember where a peer was last found, replacing an older hint and keeping the rest', async () => {
    const { store } = await freshStore()
    await store.conversations.ensure(ALICE, { relayHint: '/dns4/one.example/tcp/443/tls/ws/p2p/relay1' })
    await store.conversations.setName(ALICE, 'Alice')
    // a link's hint is only filled in when there is none; a lookup's finding replaces it
    await store.conversations.ensure(ALICE, { relayHint: '/dns4/ignored.example/tcp/443/tls/ws/p2p/relayX' })
    expect(await store.conversations.get(ALICE)).toMatchObject({ relayHint: '/dns4/one.example/tcp/443/tls/ws/p2p/relay1', name: 'Alice' })
    await store.conversations.setRelayHint(ALICE, '/dns4/two.example/tcp/443/tls/ws/p2p/relay2')
    expect(await store.conversations.get(ALICE)).toMatchObject({ relayHint: '/dns4/two.example/tcp/443/tls/ws/p2p/relay2', name: 'Alice' })
    // and for a peer with no conversation yet, one is made
    await store.conversations.setRelayHint(BOB, '/dns4/two.example/tcp/443/tls/ws/p2p/relay2')
    expect(await store.conversations.get(BOB)).toMatchObject({ peer: BOB, unread: 0, relayHint: '/dns4/two.example/tcp/443/tls/ws/p2p/relay2' })
    await expect(store.conversations.setRelayHint(BOB, '')).rejects.toThrow(/relay hint/)
  })
})

describe('store: outgoing messages', () => {
  it('should assign increasing seqs and unique ids, even when sent concurrently', async () => {
    const { store } = await freshStore()
    const sent = await Promise.all(Array.from({ length: 20 }, async (_, i) => await store.messages.createOutgoing(ALICE, `m${i}`, 1000 + i)))
    expect(sent.map(m => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(new Set(sent.map(m => m.id)).size).toBe(20)
    for (const m of sent) {
      expect(isMessageId(m.id)).toBe(true)
      expect(m).toMatchObject({ peer: ALICE, direction: 'out', status: 'queued' })
    }
    const conversation = await store.conversations.get(ALICE)
    expect(conversation).toMatchObject({ nextSeq: 21, lastMessageText: 'm19', lastMessageAt: 1019, lastMessageDirection: 'out', unread: 0 })
  })

  it('should create the conversation and the message in one transaction', async () => {
    const { store } = await freshStore()
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction')
    const message = await store.messages.createOutgoing(BOB, 'hi', 5000)
    expect(transaction).toHaveBeenCalledTimes(1)
    transaction.mockRestore()
    expect(message.seq).toBe(1)
    expect(await store.conversations.get(BOB)).toMatchObject({ peer: BOB, createdAt: 5000, nextSeq: 2, lastMessageText: 'hi' })
    expect(await store.messages.list(BOB)).toEqual([message])
  })

  it('should continue the sequence after a reopen', async () => {
    const name = freshName()
    const first = await openStore({ name })
    await first.messages.createOutgoing(ALICE, 'one')
    await first.messages.createOutgoing(ALICE, 'two')
    first.close()
    const second = await openStore({ name })
    expect((await second.messages.createOutgoing(ALICE, 'three')).seq).toBe(3)
  })
})

describe('store: incoming messages', () => {
  it('should store a new message as delivered and count it unread', async () => {
    const { store } = await freshStore()
    const { message, isNew } = await store.messages.saveIncoming(ALICE, { id: hexId(1), text: 'hello', sentAt: 100, seq: 1 }, { now: 150, unread: true })
    expect(isNew).toBe(true)
    expect(message).toEqual({ peer: ALICE, direction: 'in', id: hexId(1), text: 'hello', sentAt: 100, storedAt: 150, seq: 1, status: 'delivered', unreadFrom: ALICE })
    expect(await store.conversations.get(ALICE)).toMatchObject({ unread: 1, lastMessageText: 'hello', lastMessageDirection: 'in', lastMessageAt: 100, nextSeq: 1 })
  })

  it('should ignore a duplicate: isNew false, unread not counted twice, text not overwritten', async () => {
    const { store } = await freshStore()
    await store.messages.saveIncoming(ALICE, { id: hexId(7), text: 'original', sentAt: 100, seq: 1 }, { now: 150, unread: true })
    const again = await store.messages.saveIncoming(ALICE, { id: hexId(7), text: 'changed', sentAt: 999, seq: 5 }, { now: 2000, unread: true })
    expect(again.isNew).toBe(false)
    expect(again.message).toMatchObject({ text: 'original', sentAt: 100, storedAt: 150, seq: 1 })
    expect(await store.conversations.get(ALICE)).toMatchObject({ unread: 1, lastMessageText: 'original' })
    expect((await store.messages.list(ALICE)).map(m => m.text)).toEqual(['original'])
  })

  it('should not count a message unread when the conversation is being read', async () => {
    const { store } = await freshStore()
    await store.messages.saveIncoming(ALICE, { id: hexId(1), text: 'seen', sentAt: 100, seq: 1 }, { unread: false })
    expect((await store.conversations.get(ALICE))?.unread).toBe(0)
  })

  it('should not touch our own message when a peer echoes its id', async () => {
    const { store } = await freshStore()
    const own = await store.messages.createOutgoing(ALICE, 'mine', 100)
    await store.messages.setStatus(ALICE, 'out', [own.id], 'sent')
    const echo = await store.messages.saveIncoming(ALICE, { id: own.id, text: 'evil', sentAt: 200, seq: 1 }, { now: 200, unread: true })
    expect(echo.isNew).toBe(true)
    const list = await store.messages.list(ALICE)
    expect(list.find(m => m.direction === 'out')).toMatchObject({ id: own.id, text: 'mine', status: 'sent' })
    expect(list.find(m => m.direction === 'in')).toMatchObject({ id: own.id, text: 'evil' })
    expect((await store.messages.outbox(ALICE)).map(m => m.text)).toEqual(['mine'])
    // and marking the echo read leaves ours alone
    await store.conversations.markRead(ALICE)
    expect((await store.messages.outbox(ALICE)).map(m => m.status)).toEqual(['sent'])
  })

  it('should keep the newest message as the preview when an older one arrives late', async () => {
    const { store } = await freshStore()
    await store.messages.createOutgoing(ALICE, 'newer', 500)
    await store.messages.saveIncoming(ALICE, { id: hexId(1), text: 'older', sentAt: 100, seq: 1 }, { now: 600, unread: true })
    expect(await store.conversations.get(ALICE)).toMatchObject({ lastMessageText: 'newer', lastMessageAt: 500, unread: 1 })
  })
})

describe('store: delivery states', () => {
  it('should only move a status forward and return what changed', async () => {
    const { store } = await freshStore()
    const m = await store.messages.createOutgoing(ALICE, 'x', 100)
    expect((await store.messages.setStatus(ALICE, 'out', [m.id], 'sent')).map(r => r.status)).toEqual(['sent'])
    expect((await store.messages.setStatus(ALICE, 'out', [m.id], 'delivered')).map(r => r.status)).toEqual(['delivered'])
    expect(await store.messages.setStatus(ALICE, 'out', [m.id], 'sent')).toEqual([])
    expect(await store.messages.setStatus(ALICE, 'out', [m.id], 'queued')).toEqual([])
    expect(await store.messages.setStatus(ALICE, 'out', [m.id], 'delivered')).toEqual([])
    expect((await store.messages.list(ALICE))[0].status).toBe('delivered')
    expect((await store.messages.setStatus(ALICE, 'out', [m.id], 'read')).map(r => r.status)).toEqual(['read'])
  })

  it('should skip states (a read receipt before the ack) and ignore unknown ids', async () => {
    const { store } = await freshStore()
    const m = await store.messages.createOutgoing(ALICE, 'x', 100)
    const changed = await store.messages.setStatus(ALICE, 'out', [hexId(99), m.id, m.id], 'read')
    expect(changed).toEqual([{ ...m, status: 'read' }])
  })

  it('should only change messages of the given peer and direction', async () => {
    const { store } = await freshStore()
    const m = await store.messages.createOutgoing(ALICE, 'x', 100)
    expect(await store.messages.setStatus(ALICE, 'in', [m.id], 'read')).toEqual([])
    expect(await store.messages.setStatus(BOB, 'out', [m.id], 'read')).toEqual([])
    expect((await store.messages.list(ALICE))[0].status).toBe('queued')
  })

  it('should write the state of messages the caller holds without reading them, still only forward', async () => {
    const { store } = await freshStore()
    const [held, other] = await store.messages.createOutgoingMany(ALICE, ['held', 'other'], 100)
    const reads: unknown[] = []
    const get = IDBObjectStore.prototype.get
    vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(function (this: IDBObjectStore, key) {
      reads.push(key)
      return get.call(this, key)
    })
    const changed = await store.messages.setStatus(ALICE, 'out', [held.id, other.id], 'delivered', { stored: new Map([[held.id, held]]) })
    expect(changed.map(m => [m.text, m.status])).toEqual([['held', 'delivered'], ['other', 'delivered']])
    expect(reads).toEqual([[ALICE, 'out', other.id]])
    expect(await store.messages.setStatus(ALICE, 'out', [held.id], 'sent', { stored: new Map([[held.id, { ...held, status: 'delivered' }]]) })).toEqual([])
    expect((await store.messages.list(ALICE)).map(m => m.status)).toEqual(['delivered', 'delivered'])
  })

  it('should refuse a held record that is not the message its id names', async () => {
    const { store } = await freshStore()
    const [mine, theirs] = [await store.messages.createOutgoing(ALICE, 'mine', 100), await store.messages.createOutgoing(BOB, 'theirs', 100)]
    await expect(store.messages.setStatus(ALICE, 'out', [mine.id], 'read', { stored: new Map([[mine.id, theirs]]) })).rejects.toThrow(/Invalid stored message/)
    expect((await store.messages.list(BOB))[0].status).toBe('queued')
  })

  it('should list only own undelivered messages in the outbox, by seq', async () => {
    const { store } = await freshStore()
    const [a, b, c, d] = [
      await store.messages.createOutgoing(ALICE, 'a', 400),
      await store.messages.createOutgoing(ALICE, 'b', 300),
      await store.messages.createOutgoing(ALICE, 'c', 200),
      await store.messages.createOutgoing(ALICE, 'd', 100)
    ]
    await store.messages.createOutgoing(BOB, 'other peer', 100)
    await store.messages.saveIncoming(ALICE, { id: hexId(1), text: 'incoming', sentAt: 50, seq: 1 }, { unread: true })
    await store.messages.setStatus(ALICE, 'out', [b.id], 'sent')
    await store.messages.setStatus(ALICE, 'out', [c.id], 'delivered')
    await store.messages.setStatus(ALICE, 'out', [d.id], 'read')
    expect((await store.messages.outbox(ALICE)).map(m => m.text)).toEqual([a.text, b.text])
  })
})

describe('store: reading a conversation', () => {
  it('should mark incoming messages read, reset unread and return their ids', async () => {
    const { store } = await freshStore()
    await store.messages.saveIncoming(ALICE, { id: hexId(1), text: 'one', sentAt: 100, seq: 1 }, { unread: true })
    await store.messages.saveIncoming(ALICE, { id: hexId(2), text: 'two', sentAt: 200, seq: 2 }, { unread: true })
    await store.messages.saveIncoming(BOB, { id: hexId(3), text: 'elsewhere', sentAt: 200, seq: 1 }, { unread: true })
    const own = await store.messages.createOutgoing(ALICE, 'mine', 300)
    await store.messages.setStatus(ALICE, 'out', [own.id], 'delivered')

    expect((await store.conversations.markRead(ALICE)).sort()).toEqual([hexId(1), hexId(2)])
    expect((await store.conversations.get(ALICE))?.unread).toBe(0)
    expect((await store.messages.list(ALICE)).map(m => `${m.direction}:${m.status}`)).toEqual(['in:read', 'in:read', 'out:delivered'])
    expect((await store.conversations.get(BOB))?.unread).toBe(1)
    expect(await store.conversations.markRead(ALICE)).toEqual([])
  })

  it('should keep the unread mark on unread incoming messages only, and drop it once they are read', async () => {
    const { store } = await freshStore()
    await store.messages.saveIncoming(ALICE, { id: hexId(1), text: 'unread', sentAt: 100, seq: 1 }, { unread: true })
    await store.messages.saveIncoming(ALICE, { id: hexId(2), text: 'in sight', sentAt: 200, seq: 2 }, { unread: false })
    await store.messages.saveIncoming(ALICE, { id: hexId(3), text: 'read by a receipt', sentAt: 300, seq: 3 }, { unread: true })
    await store.messages.createOutgoing(ALICE, 'mine', 400)
    expect((await store.messages.list(ALICE)).map(m => m.unreadFrom)).toEqual([ALICE, undefined, ALICE, undefined])
    await store.messages.setStatus(ALICE, 'in', [hexId(3)], 'read')
    expect((await store.messages.list(ALICE)).map(m => m.unreadFrom)).toEqual([ALICE, undefined, undefined, undefined])
    // markRead finds them by that mark alone
    expect(await store.conversations.markRead(ALICE)).toEqual([hexId(1)])
    expect((await store.messages.list(ALICE)).every(m => !Object.hasOwn(m, 'unreadFrom'))).toBe(true)
  })

  it('should list in display order and give the newest N oldest first with a limit', async () => {
    const { store } = await freshStore()
    for (let i = 5; i >= 1; i--) {
      await store.messages.saveIncoming(ALICE, { id: hexId(i), text: `t${i}`, sentAt: i * 100, seq: i }, { now: 1000, unread: false })
    }
    // a peer whose ID starts with ALICE's must not leak into her conversation
    await store.messages.saveIncoming(`${ALICE}x`, { id: hexId(9), text: 'neighbour', sentAt: 250, seq: 1 }, { unread: false })
    const texts = (messages: StoredMessage[]): string[] => messages.map(m => m.text)
    expect(texts(await store.messages.list(ALICE))).toEqual(['t1', 't2', 't3', 't4', 't5'])
    expect(texts(await store.messages.list(ALICE, { limit: 2 }))).toEqual(['t4', 't5'])
    expect(texts(await store.messages.list(ALICE, { limit: 10 }))).toEqual(['t1', 't2', 't3', 't4', 't5'])
    expect(await store.messages.list(ALICE, { limit: 0 })).toEqual([])
    expect(await store.messages.list(CAROL)).toEqual([])
    // older pages of a long thread: what shows before a given message, the newest of them with a limit
    const all = await store.messages.list(ALICE)
    expect(texts(await store.messages.list(ALICE, { before: all[3], limit: 2 }))).toEqual(['t2', 't3'])
    expect(texts(await store.messages.list(ALICE, { before: all[1] }))).toEqual(['t1'])
    expect(await store.messages.list(ALICE, { before: all[0] })).toEqual([])
  })

  it('should break ties by message id, never by when a message arrived here', async () => {
    const { store } = await freshStore()
    await store.messages.saveIncoming(ALICE, { id: hexId(2), text: 'b, arrived last', sentAt: 100, seq: 2 }, { now: 300, unread: false })
    await store.messages.saveIncoming(ALICE, { id: hexId(3), text: 'c', sentAt: 100, seq: 3 }, { now: 200, unread: false })
    await store.messages.saveIncoming(ALICE, { id: hexId(1), text: 'a', sentAt: 100, seq: 1 }, { now: 250, unread: false })
    await store.messages.saveIncoming(ALICE, { id: hexId(9), text: 'earlier', sentAt: 99, seq: 4 }, { now: 400, unread: false })
    expect((await store.messages.list(ALICE)).map(m => m.text)).toEqual(['earlier', 'a', 'b, arrived last', 'c'])
    expect((await store.messages.list(ALICE, { limit: 2 })).map(m => m.text)).toEqual(['b, arrived last', 'c'])
    expect((await store.messages.list(ALICE, { before: { sentAt: 100, id: hexId(2) } })).map(m => m.text)).toEqual(['earlier', 'a'])
  })

  it('should keep our own messages in seq order even when the clock stands still or steps back', async () => {
    const { store } = await freshStore()
    const first = await store.messages.createOutgoing(ALICE, 'one', 1000)
    const second = await store.messages.createOutgoing(ALICE, 'two', 1000)
    const third = await store.messages.createOutgoing(ALICE, 'three', 500)
    expect([first.sentAt, second.sentAt, third.sentAt]).toEqual([1000, 1001, 1002])
    expect((await store.messages.list(ALICE)).map(m => m.seq)).toEqual([1, 2, 3])
  })
})

describe('store: batches', () => {
  it('should store a burst of outgoing messages in one call, in order, with consecutive seqs', async () => {
    const { store } = await freshStore()
    const created = await store.messages.createOutgoingMany(ALICE, ['a', 'b', 'c'], 50)
    expect(created.map(m => [m.seq, m.sentAt, m.status])).toEqual([[1, 50, 'queued'], [2, 51, 'queued'], [3, 52, 'queued']])
    expect((await store.conversations.get(ALICE))?.nextSeq).toBe(4)
    expect((await store.messages.outbox(ALICE)).map(m => m.text)).toEqual(['a', 'b', 'c'])
  })

  it('should save a burst of incoming messages once each, duplicates inside the batch included', async () => {
    const { store } = await freshStore()
    await store.messages.saveIncoming(ALICE, { id: hexId(1), text: 'known', sentAt: 1, seq: 1 }, { now: 5, unread: true })
    const saved = await store.messages.saveIncomingMany(ALICE, [
      { id: hexId(1), text: 'resent', sentAt: 1, seq: 1 },
      { id: hexId(2), text: 'new', sentAt: 2, seq: 2 },
      { id: hexId(2), text: 'new again', sentAt: 2, seq: 2 },
      { id: hexId(3), text: 'newer', sentAt: 3, seq: 3 }
    ], { now: 10, unread: true })
    expect(saved.map(s => [s.message.text, s.isNew])).toEqual([['known', false], ['new', true], ['new', false], ['newer', true]])
    expect((await store.conversations.get(ALICE))?.unread).toBe(3)
    expect((await store.messages.list(ALICE)).map(m => m.text)).toEqual(['known', 'new', 'newer'])
  })

  it('should hand out the newest read incoming ids for read receipts', async () => {
    const { store } = await freshStore()
    // ids are random: here the newest message has the smallest
    const idOf = (n: number): string => hexId(10 - n)
    await store.messages.saveIncomingMany(ALICE, [1, 2, 3].map(n => ({ id: idOf(n), text: `m${n}`, sentAt: n, seq: n })), { now: 10, unread: true })
    expect(await store.messages.recentlyRead(ALICE, 10)).toEqual([])
    await store.conversations.markRead(ALICE)
    expect(await store.messages.recentlyRead(ALICE, 2)).toEqual([idOf(3), idOf(2)])
    // our own messages in between are passed over
    await store.messages.createOutgoingMany(ALICE, ['a reply'], 20)
    expect(await store.messages.recentlyRead(ALICE, 1)).toEqual([idOf(3)])
  })
})

describe('store: conversations', () => {
  it('should list by most recent activity: last message, else creation', async () => {
    const { store } = await freshStore()
    await store.conversations.ensure(ALICE, undefined, 100)
    await store.conversations.ensure(BOB, undefined, 200)
    await store.conversations.ensure(CAROL, undefined, 300)
    expect((await store.conversations.list()).map(c => c.peer)).toEqual([CAROL, BOB, ALICE])
    await store.messages.createOutgoing(ALICE, 'hi', 400)
    expect((await store.conversations.list()).map(c => c.peer)).toEqual([ALICE, CAROL, BOB])
  })

  it('should create a conversation once and keep its fields on later ensures', async () => {
    const { store } = await freshStore()
    const created = await store.conversations.ensure(ALICE, { relayHint: '/dns4/relay.example/tcp/443/wss/p2p/12D3KooWRelay' }, 100)
    expect(created).toEqual({ peer: ALICE, createdAt: 100, unread: 0, nextSeq: 1, relayHint: '/dns4/relay.example/tcp/443/wss/p2p/12D3KooWRelay' })
    await store.messages.saveIncoming(ALICE, { id: hexId(1), text: 'x', sentAt: 150, seq: 1 }, { unread: true })
    await store.messages.createOutgoing(ALICE, 'y', 160)
    await store.conversations.setName(ALICE, 'Alice')
    const again = await store.conversations.ensure(ALICE, { relayHint: '/dns4/other.example/tcp/443/wss' }, 999)
    expect(again).toMatchObject({ createdAt: 100, unread: 1, nextSeq: 2, name: 'Alice', relayHint: created.relayHint })
  })

  it('should fill in a relay hint a conversation did not have', async () => {
    const { store } = await freshStore()
    await store.conversations.ensure(ALICE, undefined, 100)
    expect((await store.conversations.ensure(ALICE, { relayHint: '/ip4/127.0.0.1/tcp/9090/ws' }))?.relayHint).toBe('/ip4/127.0.0.1/tcp/9090/ws')
    expect((await store.conversations.get(ALICE))?.relayHint).toBe('/ip4/127.0.0.1/tcp/9090/ws')
  })

  it('should keep a name that arrives before any message', async () => {
    const { store } = await freshStore()
    await store.conversations.setName(BOB, 'Bob')
    expect(await store.conversations.get(BOB)).toMatchObject({ name: 'Bob', unread: 0, nextSeq: 1 })
  })
})
