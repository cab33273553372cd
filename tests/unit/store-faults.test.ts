import { openDB } from 'idb'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MIGRATIONS, openConnection, type Migration } from '../../src/lib/store/db.ts'
import {
  InvalidArgumentError, MAX_TEXT_LENGTH, MessageTooLongError, openStore, StorageClosedError, StorageFullError, StorageOutdatedError
} from '../../src/lib/store/index.ts'
import { ALICE, freshName, freshStore, hexId } from './store-helpers.ts'

afterEach(() => {
  vi.restoreAllMocks()
})

function quotaError (): DOMException {
  return new DOMException('The quota has been exceeded.', 'QuotaExceededError')
}

/** A later version that only adds an index, to make another tab upgrade. */
const addSeqIndex: Migration = (_db, tx) => {
  const messages = tx.objectStore('messages') as unknown as IDBObjectStore
  messages.createIndex('by-seq', ['peer', 'direction', 'seq'])
}

describe('store: a full disk', () => {
  it('should report StorageFullError when a write throws, and lose nothing already stored', async () => {
    const { store } = await freshStore()
    const kept = await store.messages.createOutgoing(ALICE, 'kept', 100)
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => { throw quotaError() })

    const err = await store.messages.createOutgoing(ALICE, 'too much', 200).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StorageFullError)
    expect((err as Error).name).toBe('StorageFullError')
    expect((err as Error).message).toMatch(/^Storage is full: free some space.*nothing already stored was lost/)
    expect((err as Error).cause).toBeInstanceOf(DOMException)

    vi.restoreAllMocks()
    // the conversation update rolled back with the failed message: the seq is not burnt
    expect(await store.conversations.get(ALICE)).toMatchObject({ nextSeq: 2, lastMessageText: 'kept' })
    expect(await store.messages.list(ALICE)).toEqual([kept])
    expect((await store.messages.createOutgoing(ALICE, 'later', 300)).seq).toBe(2)
  })

  it('should roll back a whole batch when a write in the middle of it throws', async () => {
    const { store } = await freshStore()
    const add = IDBObjectStore.prototype.add
    let calls = 0
    // the first add is already on its way when the second one throws: its
    // failure (the abort) must be reported by that throw, not left unhandled
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (++calls === 2) throw quotaError()
      return add.apply(this, args)
    })
    await expect(store.messages.createOutgoingMany(ALICE, ['a', 'b', 'c'], 100)).rejects.toBeInstanceOf(StorageFullError)
    vi.restoreAllMocks()
    expect(await store.messages.list(ALICE)).toEqual([])
    expect(await store.conversations.get(ALICE)).toBeUndefined()
  })

  it('should report StorageFullError when the transaction aborts for quota', async () => {
    const { store } = await freshStore()
    await store.messages.saveIncoming(ALICE, { id: hexId(1), text: 'first', sentAt: 100, seq: 1 }, { unread: true })
    const put = IDBObjectStore.prototype.put
    // what browsers do when quota runs out at commit: the whole transaction aborts with that error
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      const request = put.apply(this, args)
      ;(this.transaction as unknown as { _abort: (name: string) => void })._abort('QuotaExceededError')
      return request
    })
    await expect(store.messages.saveIncoming(ALICE, { id: hexId(2), text: 'second', sentAt: 200, seq: 2 }, { unread: true }))
      .rejects.toBeInstanceOf(StorageFullError)
    await expect(store.profile.save({ name: 'x' })).rejects.toBeInstanceOf(StorageFullError)

    vi.restoreAllMocks()
    expect((await store.messages.list(ALICE)).map(m => m.text)).toEqual(['first'])
    expect(await store.conversations.get(ALICE)).toMatchObject({ unread: 1, lastMessageText: 'first' })
    expect(await store.profile.load()).toBeUndefined()
  })

  it('should pass other failures through unchanged', async () => {
    const { store } = await freshStore()
    const boom = new DOMException('disk on fire', 'UnknownError')
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => { throw boom })
    await expect(store.profile.save({ name: 'x' })).rejects.toBe(boom)
  })
})

describe('store: other tabs', () => {
  it('should call onBlocked and keep waiting while an older connection stays open', async () => {
    const name = freshName()
    ;(await openStore({ name })).close()
    // a tab running old code that does not step aside
    const stale = await openDB(name)
    const onBlocked = vi.fn()
    let opened = false
    const opening = openConnection(name, { migrations: [...MIGRATIONS, addSeqIndex], onBlocked }).then(c => {
      opened = true
      return c
    })
    await vi.waitFor(() => { expect(onBlocked).toHaveBeenCalledTimes(1) })
    expect(opened).toBe(false)
    stale.close()
    const connection = await opening
    expect(connection.closed).toBe(false)
    connection.close()
  })

  it('should step aside when another tab upgrades, then fail clearly instead of hanging', async () => {
    const name = freshName()
    const onClosed = vi.fn()
    const store = await openStore({ name, onClosed })
    await store.profile.save({ name: 'Ada' })
    const newer = await openConnection(name, { migrations: [...MIGRATIONS, addSeqIndex] })

    const err = await store.profile.load().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StorageClosedError)
    expect(err).toMatchObject({ name: 'StorageClosedError', reason: 'versionchange' })
    expect((err as Error).message).toMatch(/updated in another tab; reload this page/)
    expect(onClosed).toHaveBeenCalledTimes(1)
    expect(onClosed.mock.calls[0][0]).toBeInstanceOf(StorageClosedError)
    newer.close()
  })

  it('should refuse to open a database a newer version wrote, with a clear error', async () => {
    const name = freshName()
    ;(await openConnection(name, { migrations: [...MIGRATIONS, addSeqIndex] })).close()
    const err = await openStore({ name }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StorageOutdatedError)
    expect((err as Error).message).toMatch(/reload this page/)
  })

  it('should fail calls after close() with StorageClosedError', async () => {
    const { store } = await freshStore()
    store.close()
    await expect(store.messages.list(ALICE)).rejects.toMatchObject({ name: 'StorageClosedError', reason: 'closed' })
    await expect(store.identity.save(new Uint8Array([1]))).rejects.toBeInstanceOf(StorageClosedError)
  })
})

describe('store: bad input', () => {
  it('should refuse texts over the limit and keep nothing of them', async () => {
    const { store } = await freshStore()
    const longest = 'a'.repeat(MAX_TEXT_LENGTH)
    expect((await store.messages.createOutgoing(ALICE, longest)).text).toBe(longest)
    const err = await store.messages.createOutgoing(ALICE, `${longest}a`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MessageTooLongError)
    expect(err).toBeInstanceOf(TypeError)
    expect((err as Error).message).toBe(`Message is too long: ${MAX_TEXT_LENGTH + 1} characters, at most ${MAX_TEXT_LENGTH} can be sent`)
    await expect(store.messages.saveIncoming(ALICE, { id: hexId(1), text: `${longest}a`, sentAt: 1, seq: 1 }, { unread: true }))
      .rejects.toBeInstanceOf(MessageTooLongError)
    expect(await store.messages.list(ALICE)).toHaveLength(1)
    expect((await store.conversations.get(ALICE))?.nextSeq).toBe(2)
  })

  it('should refuse malformed message ids, peers, clocks and seqs', async () => {
    const { store } = await freshStore()
    const ok = { id: hexId(1), text: 'x', sentAt: 1, seq: 1 }
    for (const id of ['', 'ABCDEF'.padEnd(32, '0'), hexId(1).slice(1), `${hexId(1)}0`, 'g'.repeat(32)]) {
      await expect(store.messages.saveIncoming(ALICE, { ...ok, id }, { unread: true })).rejects.toThrow(/Invalid message ID/)
      await expect(store.messages.setStatus(ALICE, 'out', [id], 'read')).rejects.toBeInstanceOf(InvalidArgumentError)
    }
    for (const peer of ['', 'has space', 'x'.repeat(129), '/p2p/12D3KooW']) {
      await expect(store.messages.createOutgoing(peer, 'x')).rejects.toThrow(/Invalid peer ID/)
      await expect(store.conversations.ensure(peer)).rejects.toBeInstanceOf(TypeError)
    }
    await expect(store.messages.saveIncoming(ALICE, { ...ok, sentAt: Number.NaN }, { unread: true })).rejects.toThrow(/Invalid send time/)
    await expect(store.messages.saveIncoming(ALICE, { ...ok, seq: 0 }, { unread: true })).rejects.toThrow(/Invalid sequence number/)
    await expect(store.messages.setStatus(ALICE, 'out', [], 'bogus' as 'read')).rejects.toThrow(/Invalid status/)
    await expect(store.messages.list(ALICE, { limit: -1 })).rejects.toThrow(/Invalid limit/)
    await expect(store.conversations.setName(ALICE, 'n'.repeat(65))).rejects.toThrow(/Invalid name/)
    await expect(store.identity.save(new Uint8Array(0))).rejects.toThrow(/Invalid identity key/)
    expect(await store.conversations.list()).toEqual([])
  })
})
