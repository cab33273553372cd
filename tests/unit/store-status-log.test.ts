import fc from 'fast-check'
import { openDB } from 'idb'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { openConnection } from '../../src/lib/store/db.ts'
import { openStore, statusRank, type MessageStatus, type StoredMessage } from '../../src/lib/store/index.ts'
import { FOLD_AFTER_QUIET_MS, FOLD_AT_MOST_ENTRIES, foldSlice, FOLD_SLICE_ENTRIES, FOLD_SLICE_IDS, KEEP_UNSTORED_MS, KEPT_LOOK_AGAIN_MS } from '../../src/lib/store/status-log.ts'
import { ALICE, BOB, freshName, freshStore } from './store-helpers.ts'

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

/** Lets fake-indexeddb (which schedules with the real setImmediate) finish what was asked of it. */
async function drain (): Promise<void> {
  for (let i = 0; i < 200; i++) await new Promise(resolve => setImmediate(resolve))
}

/** What the database holds, read around the store: message records as stored, and the log's entries. */
async function raw (name: string): Promise<{ messages: StoredMessage[], log: Array<{ peer: string, ids: string[], status: MessageStatus }>, outbox: Array<{ peer: string, ids: string[] }> }> {
  const db = await openDB(name)
  try {
    return { messages: await db.getAll('messages'), log: await db.getAll('statuses'), outbox: await db.getAll('outbox') }
  } finally {
    db.close()
  }
}

/** Folds the whole log now, through a second connection as another tab would. */
async function foldAll (name: string): Promise<void> {
  const connection = await openConnection(name)
  try {
    for (let from = 0, left = 1; left > 0;) ({ left, next: from } = await foldSlice(connection, from))
  } finally {
    connection.close()
  }
}

/** Requests made on each object store while `work` runs, by method. */
async function requestsDuring (work: () => Promise<unknown>): Promise<string[]> {
  const made: string[] = []
  for (const method of ['add', 'put', 'get'] as const) {
    const original = IDBObjectStore.prototype[method] as (...args: unknown[]) => IDBRequest
    vi.spyOn(IDBObjectStore.prototype, method).mockImplementation(function (this: IDBObjectStore, ...args: unknown[]) {
      made.push(`${this.name}.${method}`)
      return original.apply(this, args)
    })
  }
  await work()
  vi.restoreAllMocks()
  return made
}

/** Entries of the outbox its cursors landed on while `work` ran. */
async function outboxReadsDuring (work: () => Promise<unknown>): Promise<number> {
  let reads = 0
  const open = IDBIndex.prototype.openCursor
  vi.spyOn(IDBIndex.prototype, 'openCursor').mockImplementation(function (this: IDBIndex, ...args: Parameters<IDBIndex['openCursor']>) {
    const request = open.apply(this, args)
    // a cursor's request succeeds again at each step: counted beside idb's own listener, which is left as it is
    if (this.objectStore.name === 'outbox') request.addEventListener('success', () => { if (request.result != null) reads++ })
    return request
  })
  await work()
  vi.restoreAllMocks()
  return reads
}

describe('store: delivery states logged apart from the messages', () => {
  it('should log an ack of held messages as one request, reading and rewriting none of them', async () => {
    const { store, name } = await freshStore()
    const sent = await store.messages.createOutgoingMany(ALICE, ['a', 'b', 'c'], 100)
    const held = new Map(sent.map(m => [m.id, m]))
    const made = await requestsDuring(async () => await store.messages.setStatus(ALICE, 'out', sent.map(m => m.id), 'delivered', { stored: held }))
    expect(made).toEqual(['statuses.add'])
    // the records are as they were; every read through the store sees the ack
    expect((await raw(name)).messages.map(m => m.status)).toEqual(['queued', 'queued', 'queued'])
    expect((await store.messages.list(ALICE)).map(m => m.status)).toEqual(['delivered', 'delivered', 'delivered'])
    expect(await store.messages.outbox(ALICE)).toEqual([])
    store.close()
  })

  it('should log an ack of held messages without waiting for a write to the messages store', async () => {
    const { store } = await freshStore()
    const sent = await store.messages.createOutgoingMany(ALICE, ['a', 'b'], 100)
    const scopes: string[][] = []
    const transaction = IDBDatabase.prototype.transaction
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      const tx = transaction.apply(this, args)
      scopes.push([...tx.objectStoreNames])
      return tx
    })
    await store.messages.setStatus(ALICE, 'out', sent.map(m => m.id), 'delivered', { stored: new Map(sent.map(m => [m.id, m])) })
    expect(scopes).toEqual([['statuses']])
    // not held: read from the records, and the log, in one transaction
    await store.messages.setStatus(ALICE, 'out', [sent[0].id], 'read')
    expect(scopes[1]).toEqual(['messages', 'statuses'])
    store.close()
  })

  it('should fold the log into the records once quiet, and empty it', async () => {
    const { store, name } = await freshStore()
    const [a, b] = await store.messages.createOutgoingMany(ALICE, ['a', 'b'], 100)
    await store.messages.setStatus(ALICE, 'out', [a.id], 'delivered', { stored: new Map([[a.id, a]]) })
    await store.messages.setStatus(ALICE, 'out', [a.id, b.id], 'read')
    expect((await raw(name)).log).toHaveLength(2)
    expect((await raw(name)).outbox).toEqual([{ n: 1, peer: ALICE, ids: [a.id, b.id] }])
    await vi.waitFor(async () => { expect((await raw(name)).log).toEqual([]) }, { timeout: FOLD_AFTER_QUIET_MS * 4, interval: 50 })
    expect((await raw(name)).messages.map(m => [m.text, m.status]).sort()).toEqual([['a', 'read'], ['b', 'read']])
    expect((await raw(name)).outbox).toEqual([])
    store.close()
  })

  it('should read the outbox only as far as the deliveries a fold takes out of it, oldest write first', async () => {
    const { store, name } = await freshStore()
    const first = await store.messages.createOutgoingMany(ALICE, ['a', 'b'], 100)
    const [c] = await store.messages.createOutgoingMany(ALICE, ['c'], 200)
    const [d] = await store.messages.createOutgoingMany(ALICE, ['d'], 300)
    await store.messages.setStatus(ALICE, 'out', first.map(m => m.id), 'delivered')
    expect(await outboxReadsDuring(async () => { await foldAll(name) })).toBe(1)
    expect((await raw(name)).outbox.map(e => e.ids)).toEqual([[c.id], [d.id]])
    await store.messages.setStatus(ALICE, 'out', [d.id], 'read')
    expect(await outboxReadsDuring(async () => { await foldAll(name) })).toBe(2)
    expect((await raw(name)).outbox.map(e => e.ids)).toEqual([[c.id]])
    // receipts of messages delivered before: no longer listed, so nothing to look for
    await store.messages.setStatus(ALICE, 'out', first.map(m => m.id), 'read')
    expect(await outboxReadsDuring(async () => { await foldAll(name) })).toBe(0)
    expect((await raw(name)).outbox.map(e => e.ids)).toEqual([[c.id]])
    expect((await store.messages.outbox(ALICE)).map(m => m.text)).toEqual(['c'])
    store.close()
  })

  it('should move states only forward across the log and the records', async () => {
    const { store, name } = await freshStore()
    const m = await store.messages.createOutgoing(ALICE, 'x', 100)
    expect((await store.messages.setStatus(ALICE, 'out', [m.id], 'read')).map(r => r.status)).toEqual(['read'])
    // the record still says queued: the log is what makes these no change
    expect(await store.messages.setStatus(ALICE, 'out', [m.id], 'delivered')).toEqual([])
    expect(await store.messages.setStatus(ALICE, 'out', [m.id], 'sent')).toEqual([])
    await foldAll(name)
    expect((await raw(name)).messages[0].status).toBe('read')
    // a late 'delivered' logged before a fold of an older 'read' cannot take it back
    await store.messages.setStatus(ALICE, 'out', [m.id], 'delivered', { stored: new Map([[m.id, m]]) })
    await foldAll(name)
    expect((await raw(name)).messages[0].status).toBe('read')
    store.close()
  })

  it('should leave a peer\'s message with the same id as ours, and other peers, untouched', async () => {
    const { store, name } = await freshStore()
    const own = await store.messages.createOutgoing(ALICE, 'mine', 100)
    await store.messages.saveIncoming(ALICE, { id: own.id, text: 'echo', sentAt: 200, seq: 1 }, { unread: true })
    const other = await store.messages.createOutgoing(BOB, 'to bob', 100)
    await store.messages.setStatus(ALICE, 'out', [own.id, other.id], 'read')
    const statuses = async (): Promise<string[]> => (await store.messages.list(ALICE)).map(m => `${m.direction} ${m.status}`)
    expect(await statuses()).toEqual(['out read', 'in delivered'])
    expect((await store.messages.list(BOB))[0].status).toBe('queued')
    await foldAll(name)
    expect(await statuses()).toEqual(['out read', 'in delivered'])
    expect((await raw(name)).messages.map(m => `${m.peer === ALICE ? 'alice' : 'bob'} ${m.direction} ${m.status}`).sort())
      .toEqual(['alice in delivered', 'alice out read', 'bob out queued'])
    store.close()
  })

  it('should not fold while acks keep coming, until the log grows too long, and then keep it that short', async () => {
    // only the store's timers and clock are faked: fake-indexeddb runs on setImmediate
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const { store, name } = await freshStore()
    const more = 20
    const sent = await store.messages.createOutgoingMany(ALICE, Array.from({ length: FOLD_AT_MOST_ENTRIES + more }, (_, i) => `m${i}`), 100)
    const ackEvery = FOLD_AFTER_QUIET_MS / 2
    let acked = 0
    const ackNext = async (): Promise<void> => {
      const m = sent[acked++]
      await store.messages.setStatus(ALICE, 'out', [m.id], 'delivered', { stored: new Map([[m.id, m]]) })
      await vi.advanceTimersByTimeAsync(ackEvery)
      await drain()
    }
    while (acked < FOLD_AT_MOST_ENTRIES - 1) await ackNext()
    // never a quiet second: nothing folded yet
    expect((await raw(name)).log).toHaveLength(acked)
    // too long: folded while the acks still come, as far as the bound
    const lengths: number[] = []
    while (acked < sent.length) {
      await ackNext()
      lengths.push((await raw(name)).log.length)
    }
    expect(Math.max(...lengths)).toBeLessThanOrEqual(FOLD_AT_MOST_ENTRIES)
    expect(Math.min(...lengths)).toBeGreaterThan(FOLD_AT_MOST_ENTRIES - FOLD_SLICE_ENTRIES * 2)
    // and a quiet second folds the rest, a slice per task
    for (let i = 0; i < 2 * FOLD_AT_MOST_ENTRIES && (await raw(name)).log.length > 0; i++) {
      await vi.advanceTimersByTimeAsync(FOLD_AFTER_QUIET_MS)
      await drain()
    }
    expect((await raw(name)).log).toEqual([])
    expect((await raw(name)).messages.every(m => m.status === 'delivered')).toBe(true)
    store.close()
  })

  it('should not fold while messages are being written, though no ack comes, and fold once that stops', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const { store, name } = await freshStore()
    const [m] = await store.messages.createOutgoingMany(ALICE, ['acked'], 100)
    await store.messages.setStatus(ALICE, 'out', [m.id], 'delivered', { stored: new Map([[m.id, m]]) })
    // a burst begins before any of its acks: its writes keep the fold off the database
    for (let i = 0; i < 6; i++) {
      await vi.advanceTimersByTimeAsync(FOLD_AFTER_QUIET_MS / 2)
      await store.messages.createOutgoingMany(ALICE, [`burst ${i}`], 200 + i)
      await drain()
    }
    expect((await raw(name)).log).toHaveLength(1)
    for (let i = 0; i < 4 && (await raw(name)).log.length > 0; i++) {
      await vi.advanceTimersByTimeAsync(FOLD_AFTER_QUIET_MS)
      await drain()
    }
    expect((await raw(name)).log).toEqual([])
    store.close()
  })

  it('should fold one large entry per slice, but several small ones together', async () => {
    const { store, name } = await freshStore()
    const large = Math.ceil(FOLD_SLICE_IDS * 0.6)
    const sent = await store.messages.createOutgoingMany(ALICE, Array.from({ length: 2 * large + 2 }, (_, i) => `m${i}`), 100)
    const log = async (some: StoredMessage[]): Promise<void> => {
      await store.messages.setStatus(ALICE, 'out', some.map(m => m.id), 'delivered', { stored: new Map(some.map(m => [m.id, m])) })
    }
    await log(sent.slice(0, large))
    await log(sent.slice(large, 2 * large))
    await log(sent.slice(2 * large, 2 * large + 1))
    await log(sent.slice(2 * large + 1))
    const connection = await openConnection(name)
    // two large ones would pass the slice's ids: one alone
    const first = await foldSlice(connection)
    expect(first.left).toBe(3)
    // then the second large one with the two small ones after it
    expect((await foldSlice(connection, first.next)).left).toBe(0)
    expect((await raw(name)).messages.every(m => m.status === 'delivered')).toBe(true)
    connection.close()
    store.close()
  })

  it('should fold a log longer than one slice, slice by slice', async () => {
    const { store, name } = await freshStore()
    const sent = await store.messages.createOutgoingMany(ALICE, Array.from({ length: FOLD_SLICE_ENTRIES * 2 + 1 }, (_, i) => `m${i}`), 100)
    for (const m of sent) await store.messages.setStatus(ALICE, 'out', [m.id], 'delivered', { stored: new Map([[m.id, m]]) })
    const connection = await openConnection(name)
    const first = await foldSlice(connection)
    expect(first.left).toBe(FOLD_SLICE_ENTRIES + 1)
    expect((await raw(name)).log).toHaveLength(FOLD_SLICE_ENTRIES + 1)
    const second = await foldSlice(connection, first.next)
    expect(second.left).toBe(1)
    expect((await foldSlice(connection, second.next)).left).toBe(0)
    connection.close()
    expect((await raw(name)).messages.every(m => m.status === 'delivered')).toBe(true)
    store.close()
  })

  it('should keep an ack that beat its message\'s write until the write is done again, and fold it then', async () => {
    const { store, name } = await freshStore()
    const [early, other] = await store.messages.createOutgoingMany(ALICE, ['early', 'other'], 100)
    // the browser rolled the write back after the message went out and its ack came
    const db = await openDB(name)
    await db.delete('messages', [ALICE, 'out', early.id])
    await store.messages.setStatus(ALICE, 'out', [early.id, other.id], 'delivered', { stored: new Map([[early.id, early], [other.id, other]]) })
    await foldAll(name)
    // the stored one is folded; the ack of the other is kept, and only for it
    expect((await raw(name)).log.map(e => e.ids)).toEqual([[early.id]])
    // written again the long way, as sent
    await db.put('messages', { ...early, status: 'sent' })
    db.close()
    expect((await store.messages.list(ALICE)).map(m => m.status)).toEqual(['delivered', 'delivered'])
    expect(await store.messages.outbox(ALICE)).toEqual([])
    await foldAll(name)
    expect((await raw(name)).log).toEqual([])
    expect((await raw(name)).messages.map(m => m.status)).toEqual(['delivered', 'delivered'])
    store.close()
  })

  it('should look at a kept ack again by itself, and fold it once its message is stored', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const { store, name } = await freshStore()
    const [m] = await store.messages.createOutgoingMany(ALICE, ['m'], 100)
    const db = await openDB(name)
    await db.delete('messages', [ALICE, 'out', m.id])
    await store.messages.setStatus(ALICE, 'out', [m.id], 'delivered', { stored: new Map([[m.id, m]]) })
    await vi.advanceTimersByTimeAsync(FOLD_AFTER_QUIET_MS)
    await drain()
    expect((await raw(name)).log).toHaveLength(1)
    await db.put('messages', { ...m, status: 'sent' })
    db.close()
    // no read and no ack since: the fold comes back on its own
    await vi.advanceTimersByTimeAsync(KEPT_LOOK_AGAIN_MS)
    await drain()
    expect((await raw(name)).log).toEqual([])
    expect((await raw(name)).messages[0].status).toBe('delivered')
    store.close()
  })

  it('should drop, once it is old, an ack of a message never stored, and fold what is behind it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { store, name } = await freshStore()
    const [lost, ...later] = await store.messages.createOutgoingMany(ALICE, Array.from({ length: FOLD_SLICE_ENTRIES * 2 }, (_, i) => `m${i}`), 100)
    const db = await openDB(name)
    await db.delete('messages', [ALICE, 'out', lost.id])
    db.close()
    for (const m of [lost, ...later]) await store.messages.setStatus(ALICE, 'out', [m.id], 'delivered', { stored: new Map([[m.id, m]]) })
    // a kept entry at the front does not stop the fold of those behind it
    await foldAll(name)
    expect((await raw(name)).log.map(e => e.ids)).toEqual([[lost.id]])
    expect((await raw(name)).messages.every(m => m.status === 'delivered')).toBe(true)
    vi.setSystemTime(Date.now() + KEEP_UNSTORED_MS)
    await foldAll(name)
    expect((await raw(name)).log).toEqual([])
    store.close()
  })

  it('should read the same states through the store as a model that keeps each one\'s furthest, whenever folds run', async () => {
    const statuses: MessageStatus[] = ['sent', 'delivered', 'read']
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), which: fc.uniqueArray(fc.nat(4), { minLength: 1, maxLength: 5 }), status: fc.constantFrom(...statuses) }),
      fc.record({ kind: fc.constant('fold' as const) })
    )
    await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 12 }), async ops => {
      const name = freshName()
      const store = await openStore({ name })
      try {
        const sent = await store.messages.createOutgoingMany(ALICE, ['0', '1', '2', '3', '4'], 100)
        const model: MessageStatus[] = sent.map(() => 'queued')
        for (const o of ops) {
          if (o.kind === 'fold') {
            await foldAll(name)
            continue
          }
          const changed = await store.messages.setStatus(ALICE, 'out', o.which.map(i => sent[i].id), o.status)
          const moved = o.which.filter(i => statusRank(o.status) > statusRank(model[i]))
          expect(changed.map(m => m.text).sort()).toEqual(moved.map(String).sort())
          for (const i of moved) model[i] = o.status
        }
        expect((await store.messages.list(ALICE)).map(m => m.status)).toEqual(model)
        expect((await store.messages.outbox(ALICE)).map(m => m.text)).toEqual(model.flatMap((s, i) => statusRank(s) < statusRank('delivered') ? [String(i)] : []))
        await foldAll(name)
        const after = await raw(name)
        expect(after.log).toEqual([])
        expect(after.messages.sort((a, b) => a.seq - b.seq).map(m => m.status)).toEqual(model)
        // the fold took every delivered message out of the outbox, and only those
        const listed = after.outbox.flatMap(entry => entry.ids)
        expect(sent.filter(m => listed.includes(m.id)).map(m => m.text)).toEqual(model.flatMap((s, i) => statusRank(s) < statusRank('delivered') ? [String(i)] : []))
      } finally {
        store.close()
      }
    }), { numRuns: 40 })
  })
})
