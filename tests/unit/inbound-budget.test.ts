import { describe, expect, it } from 'vitest'
import { FRAME_OVERHEAD_BYTES, InboundBudget, frameWeight } from '../../src/lib/state/inbound-budget.ts'
import type { ChatFrame } from '../../src/lib/p2p/chat/index.ts'

const ALICE = 'alice'
const BOB = 'bob'

function text (length: number): ChatFrame {
  return { type: 'text', id: new Uint8Array(16), sentAt: 1, seq: 1, text: 'x'.repeat(length) }
}

/** A handler that finishes only when the test says so, as a write waiting on IndexedDB does. */
function held (): { handler: () => Promise<void>, finish: () => void } {
  let finish!: () => void
  const done = new Promise<void>(resolve => { finish = resolve })
  return { handler: async () => { await done }, finish }
}

describe('inbound budget', () => {
  it('should turn a peer away once its frames in hand weigh too much, and take it again once they are handled', async () => {
    const frame = text(100)
    const budget = new InboundBudget(frameWeight(frame) * 3)
    const writes = [held(), held(), held()]
    const handling = writes.map(async w => await budget.handle(ALICE, frame, w.handler))
    let ran = false
    expect(await budget.handle(ALICE, frame, async () => { ran = true })).toBe(false)
    expect(ran).toBe(false)
    expect(budget.refused).toBe(1)
    // another peer has a budget of its own
    expect(await budget.handle(BOB, frame, async () => {})).toBe(true)
    writes[0].finish()
    expect(await handling[0]).toBe(true)
    expect(await budget.handle(ALICE, frame, async () => { ran = true })).toBe(true)
    expect(ran).toBe(true)
    writes.slice(1).forEach(w => { w.finish() })
    expect(await Promise.all(handling)).toEqual([true, true, true])
  })

  it('should turn away a crowd of peers once their frames together weigh too much, each under its own cap', async () => {
    const frame = text(100)
    const budget = new InboundBudget(frameWeight(frame) * 2, frameWeight(frame) * 3)
    const writes = [held(), held(), held()]
    const handling = [ALICE, BOB, 'carol'].map(async (peer, i) => await budget.handle(peer, frame, writes[i].handler))
    // dave has nothing in hand, but the page is full
    expect(await budget.handle('dave', frame, async () => {})).toBe(false)
    expect(budget.refused).toBe(1)
    writes[0].finish()
    expect(await handling[0]).toBe(true)
    expect(await budget.handle('dave', frame, async () => {})).toBe(true)
    writes.slice(1).forEach(w => { w.finish() })
    expect(await Promise.all(handling)).toEqual([true, true, true])
  })

  it('should give the budget back when a handler fails', async () => {
    const frame = text(10)
    const budget = new InboundBudget(frameWeight(frame))
    await expect(budget.handle(ALICE, frame, async () => { throw new Error('storage full') })).rejects.toThrow('storage full')
    expect(await budget.handle(ALICE, frame, async () => {})).toBe(true)
    // the page-wide count too: a total that kept failed frames would fill up for good
    const tight = new InboundBudget(frameWeight(frame), frameWeight(frame))
    await expect(tight.handle(ALICE, frame, async () => { throw new Error('storage full') })).rejects.toThrow('storage full')
    expect(await tight.handle(BOB, frame, async () => {})).toBe(true)
  })

  it('should let an honest burst of 5,000 short messages through while none of it is stored yet', async () => {
    const budget = new InboundBudget()
    const write = held()
    const handling = Array.from({ length: 5_000 }, async () => await budget.handle(ALICE, text(200), write.handler))
    write.finish()
    expect((await Promise.all(handling)).every(Boolean)).toBe(true)
    expect(budget.refused).toBe(0)
  })

  it('should weigh a frame by what it carries', () => {
    expect(frameWeight(text(1000))).toBe(FRAME_OVERHEAD_BYTES + 2000)
    expect(frameWeight({ type: 'ack', ids: [new Uint8Array(16), new Uint8Array(16)] })).toBe(FRAME_OVERHEAD_BYTES + 32)
    expect(frameWeight({ type: 'typing', active: true })).toBe(FRAME_OVERHEAD_BYTES)
  })
})
