import { openDB, type IDBPDatabase } from 'idb'
import { describe, expect, it, vi } from 'vitest'
import { MIGRATIONS, openConnection, type Migration } from '../../src/lib/store/db.ts'
import { openStore } from '../../src/lib/store/index.ts'
import { MIGRATED_PER_ENTRY } from '../../src/lib/store/outbox.ts'
import { ALICE, BOB, CAROL, freshName, hexId } from './store-helpers.ts'

/**
 * The schema of version 1 exactly as released, copied here on purpose: if
 * someone edits migration 1 instead of appending migration 2, databases
 * already in users' browsers keep this shape and these tests catch it.
 */
function createVersion1 (db: IDBPDatabase): void {
  db.createObjectStore('meta', { keyPath: 'key' })
  db.createObjectStore('conversations', { keyPath: 'peer' }).createIndex('by-last-message', 'lastMessageAt')
  const messages = db.createObjectStore('messages', { keyPath: ['peer', 'direction', 'id'] })
  messages.createIndex('by-conversation', ['peer', 'sentAt', 'storedAt'])
  messages.createIndex('by-status', ['peer', 'direction', 'status'])
}

async function seedVersion1 (name: string): Promise<void> {
  const db = await openDB(name, 1, { upgrade: createVersion1 })
  const tx = db.transaction(['meta', 'conversations', 'messages'], 'readwrite')
  await Promise.all([
    tx.objectStore('meta').put({ key: 'identity', privateKey: new Uint8Array([7, 7, 7]) }),
    tx.objectStore('meta').put({ key: 'profile', profile: { name: 'Ada' } }),
    tx.objectStore('conversations').put({ peer: ALICE, createdAt: 10, unread: 1, nextSeq: 2, lastMessageAt: 30, lastMessageText: 'reply', lastMessageDirection: 'in' }),
    tx.objectStore('messages').put({ peer: ALICE, direction: 'out', id: hexId(1), text: 'hi', sentAt: 20, storedAt: 20, seq: 1, status: 'sent' }),
    tx.objectStore('messages').put({ peer: ALICE, direction: 'in', id: hexId(2), text: 'reply', sentAt: 30, storedAt: 31, seq: 1, status: 'delivered' }),
    tx.done
  ])
  db.close()
}

describe('store: migrations', () => {
  it('should read a database created at version 1', async () => {
    const name = freshName()
    await seedVersion1(name)
    const store = await openStore({ name })
    expect(await store.identity.load()).toEqual(new Uint8Array([7, 7, 7]))
    expect(await store.profile.load()).toEqual({ name: 'Ada' })
    expect((await store.messages.list(ALICE)).map(m => m.text)).toEqual(['hi', 'reply'])
    expect((await store.messages.outbox(ALICE)).map(m => m.id)).toEqual([hexId(1)])
    expect(await store.conversations.markRead(ALICE)).toEqual([hexId(2)])
    expect((await store.messages.createOutgoing(ALICE, 'next')).seq).toBe(2)
    store.close()
  })

  it('should keep every record when an existing database is reopened', async () => {
    const name = freshName()
    const first = await openStore({ name })
    await first.identity.save(new Uint8Array([1]))
    const sent = await first.messages.createOutgoing(BOB, 'hello', 100)
    await first.messages.saveIncoming(BOB, { id: hexId(5), text: 'hey', sentAt: 110, seq: 1 }, { now: 120, unread: true })
    first.close()
    const second = await openStore({ name })
    expect(await second.identity.load()).toEqual(new Uint8Array([1]))
    expect(await second.messages.list(BOB)).toEqual([
      sent,
      { peer: BOB, direction: 'in', id: hexId(5), text: 'hey', sentAt: 110, storedAt: 120, seq: 1, status: 'delivered', unreadFrom: BOB }
    ])
    expect(await second.conversations.get(BOB)).toMatchObject({ unread: 1, nextSeq: 2, lastMessageText: 'hey' })
    second.close()
  })

  it('should move the unread and undelivered messages of version 3 to the unread index and the outbox', async () => {
    const name = freshName()
    ;(await openConnection(name, { migrations: MIGRATIONS.slice(0, 3) })).close()
    const v3 = await openDB(name, 3)
    const tx = v3.transaction(['messages', 'statuses'], 'readwrite')
    const message = (peer: string, direction: string, n: number, status: string): object =>
      ({ peer, direction, id: hexId(n), text: `m${n}`, sentAt: n, storedAt: n, seq: n, status })
    await Promise.all([
      ...[
        message(ALICE, 'out', 1, 'queued'), message(ALICE, 'out', 2, 'sent'), message(ALICE, 'out', 3, 'delivered'),
        message(ALICE, 'out', 4, 'sent'), message(ALICE, 'in', 5, 'delivered'), message(ALICE, 'in', 6, 'read'),
        message(BOB, 'out', 7, 'sent'), message(BOB, 'in', 8, 'delivered')
      ].map(async m => await tx.objectStore('messages').put(m)),
      // a delivery logged and not folded yet: the outbox must still leave it out
      tx.objectStore('statuses').add({ peer: ALICE, ids: [hexId(4)], status: 'delivered', at: Date.now() }),
      tx.done
    ])
    v3.close()

    const store = await openStore({ name })
    expect((await store.messages.outbox(ALICE)).map(m => m.id)).toEqual([hexId(1), hexId(2)])
    expect((await store.messages.outbox(BOB)).map(m => m.id)).toEqual([hexId(7)])
    expect(await store.conversations.markRead(ALICE)).toEqual([hexId(5)])
    expect(await store.conversations.markRead(BOB)).toEqual([hexId(8)])
    store.close()
    const v4 = await openDB(name)
    expect(v4.version).toBe(4)
    expect([...v4.transaction('messages').store.indexNames]).toEqual(['by-conversation', 'by-unread'])
    expect(await v4.getAll('outbox')).toEqual([
      { n: 1, peer: ALICE, ids: [hexId(1), hexId(2), hexId(4)] },
      { n: 2, peer: BOB, ids: [hexId(7)] }
    ])
    expect(await v4.count('messages', undefined)).toBe(8)
    v4.close()
  })

  it('should list a long outbox of version 3 in entries of a bounded size, skipping the messages it need not read', async () => {
    const SKIPPED = 300
    const name = freshName()
    ;(await openConnection(name, { migrations: MIGRATIONS.slice(0, 3) })).close()
    const v3 = await openDB(name, 3)
    const tx = v3.transaction('messages', 'readwrite')
    const count = MIGRATED_PER_ENTRY + 5
    const message = (peer: string, direction: string, n: number, status: string): object =>
      ({ peer, direction, id: hexId(n), text: `m${n}`, sentAt: n, storedAt: n, seq: n, status })
    await Promise.all([
      ...Array.from({ length: count }, async (_, i) => await tx.objectStore('messages').put(message(ALICE, 'out', i + 1, i % 2 === 0 ? 'queued' : 'sent'))),
      // keys on every side of the wanted ones, for each peer
      ...[message(ALICE, 'in', 9001, 'read'), message(ALICE, 'out', 9002, 'delivered'), message(ALICE, 'out', 9003, 'read'),
        message(BOB, 'out', 9004, 'read'), message(BOB, 'in', 9005, 'read'), message(CAROL, 'out', 9006, 'sent')
      ].map(async m => await tx.objectStore('messages').put(m)),
      // a long history already read: passed over in one step
      ...Array.from({ length: SKIPPED }, async (_, i) => await tx.objectStore('messages').put(message(BOB, 'in', 10_000 + i, 'read'))),
      tx.done
    ])
    v3.close()
    const reads: unknown[] = []
    const get = IDBObjectStore.prototype.get
    vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(function (this: IDBObjectStore, key: IDBValidKey | IDBKeyRange) {
      reads.push(key)
      return get.call(this, key)
    })
    let steps = 0
    const step = IDBCursor.prototype.continue
    vi.spyOn(IDBCursor.prototype, 'continue').mockImplementation(function (this: IDBCursor, ...args: Parameters<IDBCursor['continue']>) {
      steps++
      step.apply(this, args)
    })
    ;(await openConnection(name)).close()
    vi.restoreAllMocks()
    // no unread message, so no record read; every wanted key visited, and few others
    expect(reads).toEqual([])
    expect(steps).toBeLessThan(count + 1 + 10)
    const v4 = await openDB(name)
    const entries = await v4.getAll('outbox')
    v4.close()
    expect(entries.map(e => [e.peer, e.ids.length])).toEqual([[ALICE, MIGRATED_PER_ENTRY], [ALICE, 5], [CAROL, 1]])
    expect(entries.flatMap(e => e.ids).slice(0, count).sort()).toEqual(Array.from({ length: count }, (_, i) => hexId(i + 1)).sort())
  })

  it('should run only the migrations after the stored version, in order, keeping data', async () => {
    const name = freshName()
    await seedVersion1(name)
    const ran: number[] = []
    // a data migration of the kind version 2 might bring: rewrite every
    // conversation inside the upgrade transaction, chained on its own requests
    const backfillName: Migration = (_db, tx) => {
      ran.push(2)
      const conversations = tx.objectStore('conversations')
      void conversations.openCursor().then(async function step (cursor): Promise<void> {
        if (cursor == null) return
        await cursor.update({ ...cursor.value, name: cursor.value.name ?? 'unknown' })
        await step(await cursor.continue())
      })
    }
    const addSeqIndex: Migration = (_db, tx) => {
      ran.push(3)
      const messages = tx.objectStore('messages') as unknown as IDBObjectStore
      messages.createIndex('by-seq', ['peer', 'direction', 'seq'])
    }
    const first: Migration = (db, tx) => {
      ran.push(1)
      MIGRATIONS[0](db, tx)
    }
    const connection = await openConnection(name, { migrations: [first, backfillName, addSeqIndex] })
    connection.close()
    expect(ran).toEqual([2, 3])

    const db = await openDB(name)
    expect(db.version).toBe(3)
    expect(await db.get('conversations', ALICE)).toMatchObject({ name: 'unknown', unread: 1, nextSeq: 2 })
    expect(await db.getAllFromIndex('messages', 'by-seq', [ALICE, 'out', 1])).toHaveLength(1)
    expect(await db.count('messages')).toBe(2)
    db.close()
  })

  it('should build a new database with every migration from the first', async () => {
    const ran: number[] = []
    const counting = MIGRATIONS.map((m, i): Migration => (db, tx) => {
      ran.push(i + 1)
      m(db, tx)
    })
    const connection = await openConnection(freshName(), { migrations: counting })
    connection.close()
    expect(ran).toEqual(MIGRATIONS.map((_, i) => i + 1))
  })
})
