import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Delivery } from '../../src/lib/state/delivery.ts'
import { OUTBOX_PREFETCH_MAX_AGE_MS, OutboxPrefetch } from '../../src/lib/state/outbox-prefetch.ts'
import { openStore, type Store, type StoredMessage } from '../../src/lib/store/index.ts'
import type { ChatFrame } from '../../src/lib/p2p/chat/index.ts'

const B = '12D3KooWBobBobBobBobBobBobBobBobBobBobBobBobBobBobBo'

/** A read of the outbox that says how often it ran, and answers what `outbox` holds then. */
function countedRead (outbox: () => StoredMessage[] | Error): { read: (peer: string) => Promise<StoredMessage[]>, reads: () => number } {
  let reads = 0
  return {
    read: async () => {
      reads++
      const held = outbox()
      if (held instanceof Error) throw held
      return held
    },
    reads: () => reads
  }
}

const message = (text: string): StoredMessage => ({ text } as unknown as StoredMessage)

describe('OutboxPrefetch', () => {
  it('should hand the next flush the read begun with the dial, and read again for the one after', async () => {
    let held = [message('first')]
    const { read, reads } = countedRead(() => held)
    const outboxes = new OutboxPrefetch(read)
    outboxes.start(B)
    held = [message('changed in another way')]
    expect(await outboxes.take(B)).toEqual([message('first')])
    expect(reads()).toBe(1)
    expect(await outboxes.take(B)).toEqual([message('changed in another way')])
    expect(reads()).toBe(2)
  })

  it('should read again when the page changed the outbox after the read began', async () => {
    let held = [message('first')]
    const { read, reads } = countedRead(() => held)
    const outboxes = new OutboxPrefetch(read)
    outboxes.start(B)
    held = [message('first'), message('second')]
    outboxes.drop(B)
    expect(await outboxes.take(B)).toEqual(held)
    expect(reads()).toBe(2)
  })

  it('should read again when the read is older than a dial that anyone waits on', async () => {
    let now = 0
    let held = [message('old')]
    const { read } = countedRead(() => held)
    const outboxes = new OutboxPrefetch(read, () => now)
    outboxes.start(B)
    held = [message('new')]
    now = OUTBOX_PREFETCH_MAX_AGE_MS + 1
    expect(await outboxes.take(B)).toEqual([message('new')])
  })

  it('should read again when the read begun with the dial failed', async () => {
    let held: StoredMessage[] | Error = new Error('storage busy')
    const { read, reads } = countedRead(() => held)
    const outboxes = new OutboxPrefetch(read)
    outboxes.start(B)
    held = [message('there after all')]
    expect(await outboxes.take(B)).toEqual(held)
    expect(reads()).toBe(2)
  })
})

describe('delivery: the outbox read while the dial runs', () => {
  let store: Store | undefined
  afterEach(() => {
    vi.restoreAllMocks()
    store?.close()
  })

  /** A Delivery whose transport is usable once `link.up` is set, and the texts it sent. */
  async function dialingSide (): Promise<{ delivery: Delivery, link: { up: boolean }, texts: string[], reads: () => number }> {
    store = await openStore({ name: `outbox-prefetch-${Math.random()}` })
    const link = { up: false }
    const texts: string[] = []
    const outbox = vi.spyOn(store.messages, 'outbox')
    const delivery = new Delivery({
      store,
      transport: {
        usable: () => link.up,
        send: async (_peer, frame: ChatFrame) => { if (frame.type === 'text') texts.push(frame.text) }
      },
      isReading: () => false,
      name: () => '',
      readReceipts: () => false
    })
    return { delivery, link, texts, reads: () => outbox.mock.calls.length }
  }

  it('should greet with the outbox read as the dial began, not read it again once connected', async () => {
    const { delivery, link, texts, reads } = await dialingSide()
    await delivery.send(B, 'typed before the connection')
    delivery.dialing(B)
    expect(reads()).toBe(1)
    link.up = true
    await delivery.greet(B)
    expect(texts).toEqual(['typed before the connection'])
    expect(reads()).toBe(1)
    delivery.stop()
  })

  it('should send a message written while the dial ran, which the read begun with it did not see', async () => {
    const { delivery, link, texts } = await dialingSide()
    delivery.dialing(B)
    await delivery.send(B, 'typed while dialing')
    link.up = true
    await delivery.greet(B)
    expect(texts).toEqual(['typed while dialing'])
    delivery.stop()
  })
})
