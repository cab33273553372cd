import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MessageList } from '../../src/lib/state/message-list.ts'
import { compareMessages, MESSAGE_STATUSES, statusRank, type Direction, type MessageStatus, type StoredMessage } from '../../src/lib/store/index.ts'

const PEER = 'peer'

function message (direction: Direction, n: number, sentAt: number, status: MessageStatus): StoredMessage {
  return { peer: PEER, direction, id: n.toString(16).padStart(32, '0'), text: `m${n}`, sentAt, storedAt: sentAt, seq: n, status }
}

const key = (m: StoredMessage): string => `${m.direction}:${m.id}`

/** What the list must hold: each message once, in its most advanced state seen (the later one on a tie), sorted. */
function model (batches: readonly StoredMessage[][]): StoredMessage[] {
  const held = new Map<string, StoredMessage>()
  for (const m of batches.flat()) {
    const known = held.get(key(m))
    if (known == null || statusRank(m.status) >= statusRank(known.status)) held.set(key(m), m)
  }
  return [...held.values()].sort(compareMessages)
}

/**
 * A few messages with fixed identities (same ids in both directions, pairs sharing
 * a send time), and batches that each carry some of them in some state.
 */
const batchesArb = fc.integer({ min: 1, max: 12 }).chain(count => {
  const identity = fc.record({
    n: fc.integer({ min: 0, max: count - 1 }),
    direction: fc.constantFrom<Direction>('in', 'out'),
    status: fc.constantFrom(...MESSAGE_STATUSES)
  })
  return fc.array(fc.array(identity, { maxLength: 8 }), { maxLength: 10 }).map(batches => batches.map(batch =>
    batch.map(({ n, direction, status }) => message(direction, n, 1_000 + Math.floor(n / 2), status))))
})

describe('a conversation\'s message list', () => {
  it('should hold every message once, in display order, in the most advanced state it heard of', () => {
    fc.assert(fc.property(batchesArb, fc.array(fc.boolean(), { maxLength: 10 }), (batches, prepends) => {
      const list = new MessageList()
      const merged = batches.map((batch, i) => {
        if (prepends[i] !== true) {
          list.merge(batch)
          return batch
        }
        // a page as the store gives one: sorted, each message once
        const page = model([batch])
        list.prepend(page)
        return page
      })
      expect(list.snapshot()).toEqual(model(merged))
    }), { numRuns: 500 })
  })

  it('should put an older page in front in one go, and the index should find its messages after', () => {
    const list = new MessageList()
    list.merge([message('in', 10, 2_000, 'delivered'), message('out', 11, 2_001, 'sent')])
    list.prepend([message('out', 1, 1_000, 'sent'), message('in', 2, 1_001, 'delivered')])
    expect(list.snapshot().map(m => m.seq)).toEqual([1, 2, 10, 11])
    expect(list.first?.seq).toBe(1)
    // updates after the prepend land on the right rows, not on stale positions
    list.merge([message('out', 11, 2_001, 'read'), message('out', 1, 1_000, 'delivered')])
    expect(list.snapshot().map(m => `${m.seq}:${m.status}`)).toEqual(['1:delivered', '2:delivered', '10:delivered', '11:read'])
  })

  it('should never move a message back to an earlier state', () => {
    const list = new MessageList()
    list.merge([message('out', 1, 1_000, 'read')])
    list.merge([message('out', 1, 1_000, 'sent')])
    expect(list.snapshot()[0].status).toBe('read')
  })

  it('should merge a page that is out of order or overlaps what it holds, rather than prepend it', () => {
    const list = new MessageList()
    list.merge([message('in', 5, 3_000, 'delivered')])
    list.prepend([message('in', 2, 2_000, 'delivered'), message('in', 1, 1_000, 'delivered')])
    list.prepend([message('in', 0, 500, 'delivered'), message('in', 5, 3_000, 'read')])
    expect(list.snapshot().map(m => `${m.seq}:${m.status}`)).toEqual(['0:delivered', '1:delivered', '2:delivered', '5:read'])
    expect(list.length).toBe(4)
  })

  it('should say whether a merge changed anything, and take messages out by id', () => {
    const list = new MessageList()
    const a = message('in', 1, 10, 'delivered')
    const b = message('in', 2, 20, 'delivered')
    const own = message('out', 2, 15, 'sent')
    expect(list.merge([a, b, own])).toBe(true)
    // the same records again (an arriving message, once stored): nothing to show anew
    expect(list.merge([a, b])).toBe(false)
    expect(list.merge([{ ...a, status: 'read' }])).toBe(true)
    // only the incoming message of that id goes; the own one with the same id stays
    expect(list.remove('in', [b.id, 'f'.repeat(32)])).toBe(true)
    expect(list.snapshot().map(key)).toEqual([`in:${a.id}`, `out:${own.id}`])
    expect(list.remove('in', [b.id])).toBe(false)
    // and what comes after a removal lands where it belongs
    list.merge([message('in', 3, 12, 'delivered')])
    expect(list.snapshot().map(m => m.sentAt)).toEqual([10, 12, 15])
  })
})
