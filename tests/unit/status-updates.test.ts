import 'fake-indexeddb/auto'
import { describe, expect, it, vi } from 'vitest'
import { MAX_MERGED_FRAMES, MAX_WRITES_IN_FLIGHT, StatusUpdates } from '../../src/lib/state/status-updates.ts'
import { openStore, type StoredMessage } from '../../src/lib/store/index.ts'

const ALICE = '12D3KooWAliceAliceAliceAliceAliceAliceAliceAliceAlic'
let dbCounter = 0

async function setup (): Promise<{ updates: StatusUpdates, store: Awaited<ReturnType<typeof openStore>>, changed: StoredMessage[] }> {
  const store = await openStore({ name: `status-updates-${++dbCounter}` })
  const changed: StoredMessage[] = []
  const updates = new StatusUpdates(store, (_peer, messages) => { changed.push(...messages) })
  return { updates, store, changed }
}

/** An id for a message that was never sent: what a flooding peer acks. */
function unknownId (i: number): string {
  return i.toString(16).padStart(32, '0')
}

describe('status updates: acks and receipts written per peer, merged while one is written', () => {
  it('should write a flood of small acks in a few merged writes, a few at a time, not one each', async () => {
    const { updates, store } = await setup()
    const write = store.messages.setStatus.bind(store.messages)
    const setStatus = vi.spyOn(store.messages, 'setStatus')
    let writing = 0
    let mostAtOnce = 0
    setStatus.mockImplementation(async (...args) => {
      mostAtOnce = Math.max(mostAtOnce, ++writing)
      try {
        return await write(...args)
      } finally {
        writing--
      }
    })
    const frames = 100
    await Promise.all(Array.from({ length: frames }, async (_, i) => { await updates.apply(ALICE, [unknownId(i)], 'delivered', new Map()) }))
    expect(setStatus.mock.calls.length).toBeLessThanOrEqual(MAX_WRITES_IN_FLIGHT + Math.ceil(frames / MAX_MERGED_FRAMES))
    expect(setStatus.mock.calls.flatMap(([, , ids]) => ids).sort()).toEqual(Array.from({ length: frames }, (_, i) => unknownId(i)).sort())
    expect(setStatus.mock.calls.every(([, , ids]) => ids.length <= MAX_MERGED_FRAMES)).toBe(true)
    expect(mostAtOnce).toBe(MAX_WRITES_IN_FLIGHT)
    store.close()
  })

  it('should move every frame\'s messages, keep the acks of messages in flight apart from the others, and tell each change once', async () => {
    const { updates, store, changed } = await setup()
    const [held, notHeld, readOne] = await store.messages.createOutgoingMany(ALICE, ['held', 'not held', 'read'], 100)
    const setStatus = vi.spyOn(store.messages, 'setStatus')
    await Promise.all([
      updates.apply(ALICE, [held.id], 'delivered', new Map([[held.id, held]])),
      updates.apply(ALICE, [notHeld.id], 'delivered', new Map()),
      updates.apply(ALICE, [readOne.id], 'read', new Map())
    ])
    expect((await store.messages.list(ALICE)).map(m => [m.text, m.status])).toEqual([['held', 'delivered'], ['not held', 'delivered'], ['read', 'read']])
    // the held ack alone, with its record: written to the log without a read
    expect(setStatus.mock.calls.map(([, , ids, status, options]) => [ids, status, [...(options?.stored?.keys() ?? [])]])).toEqual([
      [[held.id], 'delivered', [held.id]],
      [[notHeld.id], 'delivered', []],
      [[readOne.id], 'read', []]
    ])
    expect(changed.map(m => `${m.text} ${m.status}`).sort()).toEqual(['held delivered', 'not held delivered', 'read read'])
    store.close()
  })

  it('should give a failed write\'s frames the error, and write later frames afresh', async () => {
    const { updates, store } = await setup()
    const [m] = await store.messages.createOutgoingMany(ALICE, ['m'], 100)
    vi.spyOn(store.messages, 'setStatus').mockRejectedValueOnce(new Error('storage is gone'))
    await expect(updates.apply(ALICE, [m.id], 'delivered', new Map())).rejects.toThrow('storage is gone')
    await updates.apply(ALICE, [m.id], 'read', new Map())
    expect((await store.messages.list(ALICE))[0].status).toBe('read')
    store.close()
  })
})
