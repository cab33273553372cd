import { describe, expect, it } from 'vitest'
import { InvalidArgumentError, openStore } from '../../src/lib/store/index.ts'
import { ALICE, BOB, freshStore, hexId } from './store-helpers.ts'

describe('store: blocking a peer', () => {
  it('should keep a block across close and reopen, and drop the flag on unblock', async () => {
    const { store, name } = await freshStore()
    await store.conversations.ensure(ALICE)
    await store.conversations.setName(ALICE, 'Alice')
    await store.conversations.setBlocked(ALICE, true)
    store.close()

    const reopened = await openStore({ name })
    expect(await reopened.conversations.get(ALICE)).toMatchObject({ peer: ALICE, name: 'Alice', blocked: true })
    await reopened.conversations.setBlocked(ALICE, false)
    const unblocked = await reopened.conversations.get(ALICE)
    expect(unblocked).toMatchObject({ peer: ALICE, name: 'Alice' })
    expect(unblocked).not.toHaveProperty('blocked')
    reopened.close()
  })

  it('should keep the block when messages are stored in the conversation afterwards', async () => {
    const { store } = await freshStore()
    // a write in one round trip guesses the record from this page's last write: the block must not be lost to it
    await store.messages.createOutgoing(ALICE, 'before', 1_000)
    await store.conversations.setBlocked(ALICE, true)
    await store.messages.createOutgoing(ALICE, 'queued while blocked', 2_000)
    await store.messages.saveIncoming(ALICE, { id: hexId(1), text: 'raced in', sentAt: 2_500, seq: 1 }, { now: 3_000, unread: true })
    expect(await store.conversations.get(ALICE)).toMatchObject({ blocked: true, nextSeq: 3, unread: 1 })
    store.close()
  })

  it('should block a peer with no conversation yet, and refuse a flag that is not true or false', async () => {
    const { store } = await freshStore()
    await store.conversations.setBlocked(BOB, true)
    expect(await store.conversations.get(BOB)).toMatchObject({ peer: BOB, unread: 0, blocked: true })
    await expect(store.conversations.setBlocked(BOB, 'yes' as unknown as boolean)).rejects.toThrow(InvalidArgumentError)
    await expect(store.conversations.setBlocked(BOB, 'yes' as unknown as boolean)).rejects.toThrow(/blocked flag/)
    await expect(store.conversations.setBlocked('not a peer!', true)).rejects.toThrow(/peer ID/)
    // a refused call changed nothing
    expect(await store.conversations.get(BOB)).toMatchObject({ blocked: true })
    store.close()
  })
})
