import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TYPING_REFRESH_MS, TYPING_SETTLE_MS, TYPING_SHOWN_MS, Typing } from '../../src/lib/state/typing.svelte.ts'

describe('typing, both ways', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('should tell the peer of typing once the text stood a moment, again once per refresh interval, and of a stop only after a start', () => {
    vi.setSystemTime(Date.parse('2026-12-06T10:00:00Z'))
    const typing = new Typing()
    const told: boolean[] = []
    const type = (active: boolean): void => { typing.typed(active, t => told.push(t)) }
    // a field cleared before anything was told: nothing to take back
    type(false)
    type(true)
    vi.advanceTimersByTime(TYPING_SETTLE_MS - 1)
    type(true)
    expect(told).toEqual([])
    vi.advanceTimersByTime(1)
    expect(told).toEqual([true])
    type(true)
    vi.advanceTimersByTime(TYPING_REFRESH_MS - 1)
    type(true)
    vi.advanceTimersByTime(TYPING_SETTLE_MS)
    expect(told).toEqual([true])
    // past the refresh interval, keystrokes say so again
    type(true)
    vi.advanceTimersByTime(TYPING_SETTLE_MS)
    expect(told).toEqual([true, true])
    type(false)
    type(false)
    expect(told).toEqual([true, true, false])
  })

  it('should tell nothing of text sent before it stood a moment, and tell the next keystroke again after a message', () => {
    const typing = new Typing()
    const told: boolean[] = []
    const type = (active: boolean): void => { typing.typed(active, t => told.push(t)) }
    // pasted and sent at once: the message itself is all the peer hears
    type(true)
    typing.sent()
    vi.advanceTimersByTime(TYPING_SETTLE_MS)
    expect(told).toEqual([])
    type(true)
    vi.advanceTimersByTime(TYPING_SETTLE_MS)
    typing.sent()
    // the message ended the peer's indicator: the next keystroke starts it again, inside the refresh interval
    type(true)
    vi.advanceTimersByTime(TYPING_SETTLE_MS)
    expect(told).toEqual([true, true])
    // and a closed thread tells nothing more
    type(false)
    type(true)
    typing.stop()
    vi.advanceTimersByTime(TYPING_SETTLE_MS)
    expect(told).toEqual([true, true, false])
  })

  it('should show the peer typing until they stop, or until a lost stop would have come', () => {
    const typing = new Typing()
    typing.heard(true)
    expect(typing.peerTyping).toBe(true)
    typing.heard(false)
    expect(typing.peerTyping).toBe(false)
    typing.heard(true)
    vi.advanceTimersByTime(TYPING_SHOWN_MS - 1)
    // a second frame while typing goes on keeps it shown from then on
    typing.heard(true)
    vi.advanceTimersByTime(TYPING_SHOWN_MS - 1)
    expect(typing.peerTyping).toBe(true)
    vi.advanceTimersByTime(1)
    expect(typing.peerTyping).toBe(false)
  })
})
