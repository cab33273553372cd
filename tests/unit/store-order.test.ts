import fc from 'fast-check'
import { openDB } from 'idb'
import { describe, expect, it } from 'vitest'
import { openStore, type StoredMessage } from '../../src/lib/store/index.ts'
import { ALICE, freshName } from './store-helpers.ts'

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
