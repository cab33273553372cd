import fc from 'fast-check'
import { openDB } from 'idb'
import { describe, expect, it } from 'vitest'
import { openStore, type StoredMessage } from '../../src/lib/store/index.ts'
import { ALICE, BOB, CAROL, freshName, freshStore, hexId } from './store-helpers.ts'

/** The documented display order, written out independently of the store. */
function displayOrder (a: StoredMessage, b: StoredMessage): number {
  const byString = (x: string, y: string): number => x < y ? -1 : x > y ? 1 : 0
  return a.sentAt - b.sentAt || byString(a.id, b.id) || byString(a.direction, b.direction)
}

// few distinct clock values, so ties on sentAt and storedAt are common
const message = fc.record({
  direction: fc.constantFrom<'in' | 'out'>('in', 'out'),
  id: fc.stringMatching(/^[0-9a-f]{32}$/),
  sentAt: fc.integer({ min: 0, max: 4 }),
  storedAt: fc.integer({ min: 0, max: 4 }),
  seq: fc.integer({ min: 1, max: 100 }),
  status: fc.constantFrom<StoredMessage['status']>('queued', 'sent', 'delivered', 'read')
}).map((m): StoredMessage => ({ ...m, peer: ALICE, text: `${m.direction}:${m.id}` }))

const messages = fc.uniqueArray(message, { selector: m => `${m.direction}:${m.id}`, maxLength: 25 })

describe('store: list order', () => {
  it('should list in display order whatever the insert order, and limit to the newest', async () => {
    await fc.assert(fc.asyncProperty(
      messages.chain(ms => fc.tuple(fc.constant(ms), fc.shuffledSubarray(ms, { minLength: ms.length, maxLength: ms.length }), fc.nat({ max: 30 }))),
      async ([all, insertOrder, limit]) => {
        const name = freshName()
        const store = await openStore({ name })
        const raw = await openDB(name)
        // one write at a time, in the shuffled order
        for (const m of insertOrder) await raw.put('messages', m)
        raw.close()
        const expected = [...all].sort(displayOrder)
        expect(await store.messages.list(ALICE)).toEqual(expected)
        expect(await store.messages.list(ALICE, { limit })).toEqual(expected.slice(Math.max(0, expected.length - limit)))
        store.close()
      }
    ), { numRuns: 60 })
  })
})

describe('store: conversation list order', () => {
  it('should put the conversation that last had a message first by this browser\'s clock, whatever time its sender gave', async () => {
    const { store, name } = await freshStore()
    const now = Date.UTC(2026, 11, 5, 12)
    await store.messages.createOutgoing(ALICE, 'an hour ago', now - 3_600_000)
    await store.messages.saveIncoming(BOB, { id: hexId(1), text: 'a minute ago', sentAt: now - 60_000, seq: 1 }, { now: now - 59_000, unread: true })
    // arriving now: written while its sender was offline days ago, or dated back on purpose
    await store.messages.saveIncoming(CAROL, { id: hexId(2), text: 'sent long ago', sentAt: now - 5 * 86_400_000, seq: 1 }, { now, unread: true })
    expect((await store.conversations.list()).map(c => c.peer)).toEqual([CAROL, BOB, ALICE])
    // the entry still shows the time its sender gave
    expect(await store.conversations.get(CAROL)).toMatchObject({ lastMessageAt: now - 5 * 86_400_000, lastActivityAt: now })
    // a late arrival older than the preview keeps the preview, and is still activity
    await store.messages.saveIncoming(ALICE, { id: hexId(3), text: 'late', sentAt: now - 7_200_000, seq: 1 }, { now: now + 1000, unread: true })
    expect(await store.conversations.get(ALICE)).toMatchObject({ lastMessageText: 'an hour ago', lastActivityAt: now + 1000 })
    expect((await store.conversations.list()).map(c => c.peer)).toEqual([ALICE, CAROL, BOB])
    store.close()

    // a conversation stored before activity was kept goes by its last message's time
    const raw = await openDB(name)
    const bob = await raw.get('conversations', BOB)
    delete bob.lastActivityAt
    await raw.put('conversations', { ...bob, lastMessageAt: now + 2000 })
    raw.close()
    const reopened = await openStore({ name })
    expect((await reopened.conversations.list()).map(c => c.peer)).toEqual([BOB, ALICE, CAROL])
    reopened.close()
  })
})
