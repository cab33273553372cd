import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TYPING_REFRESH_MS, TYPING_SHOWN_MS, Typing } from '../../src/lib/state/typing.svelte.ts'

describe('typing, both ways', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('should tell the peer of a keystroke once per refresh interval, of a stop always, and at once after a message went', () => {
    const typing = new Typing()
    const t = Date.parse('2026-12-06T10:00:00Z')
    expect(typing.shouldTell(true, t)).toBe(true)
    expect(typing.shouldTell(true, t + TYPING_REFRESH_MS - 1)).toBe(false)
    expect(typing.shouldTell(true, t + TYPING_REFRESH_MS)).toBe(true)
    expect(typing.shouldTell(false, t + TYPING_REFRESH_MS + 1)).toBe(true)
    expect(typing.shouldTell(true, t + TYPING_REFRESH_MS + 2)).toBe(true)
    expect(typing.shouldTell(true, t + TYPING_REFRESH_MS + 3)).toBe(false)
    typing.sent()
    expect(typing.shouldTell(true, t + TYPING_REFRESH_MS + 4)).toBe(true)
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
