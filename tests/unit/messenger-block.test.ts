import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { connection, FakeNode, FRIEND, startMessenger as start, stopMessenger } from './fixtures/messenger-node.ts'

afterEach(() => {
  stopMessenger()
  vi.useRealTimers()
})

const friend = FRIEND.toString()

function text (n: number, words: string): Record<string, unknown> {
  return { type: 'text', id: new Uint8Array(16).fill(n), text: words, sentAt: Date.now(), seq: n }
}

describe('messenger: a blocked peer', () => {
  it('should neither store nor acknowledge what a blocked peer sends in a race with the block, and take it again once unblocked', async () => {
    const node = new FakeNode()
    const { messenger, store } = await start(node)
    const direct = connection('webrtc').conn
    node.open(direct)
    await messenger.setBlocked(friend, true)
    expect(node.hangUp).toHaveBeenCalledWith(FRIEND)
    // a frame that was on its way as the connection closed
    node.frame(direct, text(1, 'let me in'))
    node.frame(direct, { type: 'profile', name: 'Mallory' })
    // unblocked: the peer's resends come through as any peer's
    await messenger.setBlocked(friend, false)
    node.open(connection('webrtc').conn)
    node.frame(direct, text(2, 'hello again'))
    await vi.waitFor(async () => { expect((await store.messages.list(friend)).map(m => m.text)).toEqual(['hello again']) })
    // one ack: for the message stored, none for the one dropped
    await vi.waitFor(() => { expect(node.sent('ack')).toBe(1) })
    const acked = node.services.chat.send.mock.calls.map(call => (call as unknown[])[1] as { type: string, ids?: Uint8Array[] }).filter(f => f.type === 'ack')
    expect(acked[0].ids).toEqual([new Uint8Array(16).fill(2)])
    expect((await store.conversations.get(friend))?.name).toBeUndefined()
  })

  it('should keep our messages queued and dial nobody while the peer is blocked, and send them once unblocked', async () => {
    const node = new FakeNode()
    const { messenger, store } = await start(node)
    node.answer = () => connection('webrtc').conn
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    await messenger.setBlocked(friend, true)
    // the blocked conversation opened from a link, and a message written in a race with the block
    messenger.watch(friend)
    await messenger.send(friend, 'still queued')
    // a connection the gater let through before the block took effect
    const slipped = connection('webrtc').conn
    node.open(slipped)
    expect(slipped.close).toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(node.dial).not.toHaveBeenCalled()
    expect(node.sent('text')).toBe(0)
    expect(messenger.linkState(friend)).toBe('offline')
    expect((await store.messages.outbox(friend)).map(m => [m.text, m.status])).toEqual([['still queued', 'queued']])

    await messenger.setBlocked(friend, false)
    await vi.advanceTimersByTimeAsync(100)
    expect(node.dial).toHaveBeenCalled()
    await vi.waitFor(() => { expect(node.sent('text')).toBe(1) })
    expect(messenger.linkState(friend)).toBe('direct')
  })

  it('should close the connection to a peer as it is blocked and not redial it', async () => {
    const node = new FakeNode()
    const { messenger } = await start(node)
    node.answer = () => connection('webrtc').conn
    const direct = connection('webrtc').conn
    node.open(direct)
    messenger.watch(friend)
    expect(messenger.linkState(friend)).toBe('direct')
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    await messenger.setBlocked(friend, true)
    expect(direct.status).toBe('closed')
    await vi.advanceTimersByTimeAsync(120_000)
    expect(node.dial).not.toHaveBeenCalled()
    expect(messenger.linkState(friend)).toBe('offline')
  })

  it('should send nothing on a connection still closing as the peer is blocked, and flush the queue on it once unblocked', async () => {
    const node = new FakeNode()
    const { messenger, store } = await start(node)
    const direct = connection('webrtc').conn
    node.open(direct)
    // closing takes its time: the connection still looks open meanwhile
    node.hangUp.mockImplementation(async () => {})
    await messenger.setBlocked(friend, true)
    const sends = node.services.chat.send.mock.calls.length
    await messenger.send(friend, 'wait for it')
    await messenger.delivery.flush(friend)
    expect(node.services.chat.send.mock.calls.length).toBe(sends)
    expect((await store.messages.outbox(friend)).map(m => m.status)).toEqual(['queued'])
    await messenger.setBlocked(friend, false)
    await vi.waitFor(() => { expect(node.sent('text')).toBe(1) })
  })
})
