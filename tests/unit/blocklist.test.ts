import { describe, expect, it, vi } from 'vitest'
import { Blocklist, PeerBlockedError } from '../../src/lib/state/blocklist.ts'
import { ALICE, BOB, freshStore } from './store-helpers.ts'

describe('the list of blocked peers', () => {
  it('should read the blocks kept in the store, as a node starting after a reload does', async () => {
    const { store } = await freshStore()
    await new Blocklist(store).set(ALICE, true)
    await store.conversations.ensure(BOB)
    const loaded = new Blocklist(store)
    await loaded.load()
    expect([...loaded.peers]).toEqual([ALICE])
    await loaded.set(ALICE, false)
    expect(loaded.has(ALICE)).toBe(false)
    expect((await store.conversations.get(ALICE))?.blocked).toBeUndefined()
    store.close()
  })

  it('should refuse every frame to a blocked peer and pass the others on', async () => {
    const { store } = await freshStore()
    const list = new Blocklist(store)
    await list.set(ALICE, true)
    const transport = { usable: () => true, send: vi.fn(async () => {}) }
    const guarded = list.guard(transport)
    expect(guarded.usable(ALICE)).toBe(false)
    expect(guarded.usable(BOB)).toBe(true)
    await expect(guarded.send(ALICE, { type: 'ack', ids: [] })).rejects.toThrow(PeerBlockedError)
    await guarded.send(BOB, { type: 'ack', ids: [] })
    expect(transport.send).toHaveBeenCalledTimes(1)
    store.close()
  })
})
