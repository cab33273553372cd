import { describe, expect, it } from 'vitest'
import { FrameWriter } from '../../src/lib/p2p/chat/frames.ts'
import type { Stream } from '@libp2p/interface'

/**
 * The part of a stream FrameWriter uses: `send` says whether more may be
 * written now, and 'drain' says when that is the case again.
 */
class FakeStream extends EventTarget {
  readonly status = 'open'
  readonly writeStatus = 'writable'
  readonly remoteReadStatus = 'readable'
  writableNeedsDrain = false
  /** false: the peer stopped reading, nothing drains */
  accepting = true
  readonly chunks: Uint8Array[] = []

  send (bytes: Uint8Array): boolean {
    this.chunks.push(bytes)
    this.writableNeedsDrain = !this.accepting
    return this.accepting
  }
}

/** Counts the abort listeners a signal holds. */
function countedSignal (): { controller: AbortController, listeners: () => number, added: () => number } {
  const controller = new AbortController()
  const { signal } = controller
  let held = 0
  let added = 0
  const add = signal.addEventListener.bind(signal)
  const remove = signal.removeEventListener.bind(signal)
  signal.addEventListener = ((type: string, listener: EventListener, options?: AddEventListenerOptions) => {
    if (type === 'abort') { held++; added++ }
    add(type, listener, options)
  }) as typeof signal.addEventListener
  signal.removeEventListener = ((type: string, listener: EventListener) => {
    if (type === 'abort') held--
    remove(type, listener)
  }) as typeof signal.removeEventListener
  return { controller, listeners: () => held, added: () => added }
}

describe('FrameWriter', () => {
  it('should write a task\'s first frame at once, before the task goes on', () => {
    const stream = new FakeStream()
    const writer = new FrameWriter(stream as unknown as Stream)
    void writer.write(new Uint8Array([7, 7]))
    expect(stream.chunks.map(c => [...c])).toEqual([[7, 7]])
  })

  it('should write the frames handed over after the first in a task as one chunk, and leave no listener on their shared signal', async () => {
    const stream = new FakeStream()
    const writer = new FrameWriter(stream as unknown as Stream)
    const { controller, listeners, added } = countedSignal()
    const frames = Array.from({ length: 300 }, (_, i) => new Uint8Array([1, i % 256]))
    await Promise.all(frames.map(async f => { await writer.write(f, { signal: controller.signal }) }))
    expect(stream.chunks.map(c => c.byteLength)).toEqual([2, 598])
    // the next task's first frame goes at once again
    void writer.write(new Uint8Array([9]))
    expect(stream.chunks).toHaveLength(3)
    // one listener for the first frame, one for the other 299, each taken off once they were written
    expect(added()).toBe(2)
    expect(listeners()).toBe(0)
  })

  it('should reject every frame waiting on a stuck stream when their signal aborts, and not write those still queued', async () => {
    const stream = new FakeStream()
    stream.accepting = false
    const writer = new FrameWriter(stream as unknown as Stream)
    // the first frame goes out and fills the stream: the rest wait for a drain that never comes
    const first = writer.write(new Uint8Array([1]))
    await Promise.resolve()
    const { controller, listeners } = countedSignal()
    const waiting = [2, 3, 4].map(async b => { await writer.write(new Uint8Array([b]), { signal: controller.signal }) })
    const reason = new Error('deadline')
    controller.abort(reason)
    for (const w of waiting) await expect(w).rejects.toBe(reason)
    expect(listeners()).toBe(0)
    // the stream drains at last: only what had gone out before counts as written
    stream.accepting = true
    stream.writableNeedsDrain = false
    stream.dispatchEvent(new Event('drain'))
    await first
    await writer.write(new Uint8Array([5]))
    expect(stream.chunks.map(c => [...c])).toEqual([[1], [5]])
  })
})
