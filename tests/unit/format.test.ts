import { describe, expect, it } from 'vitest'
import { displayName, formatTime, shortPeer } from '../../src/lib/ui/format.ts'

const NOON = new Date(2026, 11, 5, 12, 34).getTime()
/** as src/lib/ui/format.ts shows times: today's with the time of day, older ones with the date too */
const TIME_OPTIONS: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' }
const DATE_OPTIONS: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }

describe('formatTime', () => {
  it('shows the time of day for today\'s messages, in the user\'s locale', () => {
    expect(formatTime(NOON - 60_000, NOON)).toBe(new Intl.DateTimeFormat(undefined, TIME_OPTIONS).format(NOON - 60_000))
  })

  it('adds the date for older messages', () => {
    const yesterday = NOON - 24 * 60 * 60 * 1000
    const text = formatTime(yesterday, NOON)
    expect(text).toBe(new Intl.DateTimeFormat(undefined, DATE_OPTIONS).format(yesterday))
    expect(text).not.toBe(new Intl.DateTimeFormat(undefined, TIME_OPTIONS).format(yesterday))
  })

  it('formats a time again once the day has changed: yesterday\'s "12:33" becomes a date', () => {
    const at = NOON - 60_000
    expect(formatTime(at, NOON)).toBe(new Intl.DateTimeFormat(undefined, TIME_OPTIONS).format(at))
    const tomorrow = NOON + 24 * 60 * 60 * 1000
    expect(formatTime(at, tomorrow)).toBe(new Intl.DateTimeFormat(undefined, DATE_OPTIONS).format(at))
  })
})

describe('names', () => {
  it('shows the end of a long peer ID, and a chosen name as it is', () => {
    expect(shortPeer('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')).toBe('…eQAJU5SA')
    expect(shortPeer('short')).toBe('short')
    expect(displayName('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA', 'Ada')).toBe('Ada')
    expect(displayName('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA', '')).toBe('Peer …eQAJU5SA')
  })

  it('shows the peer ID for a chosen name that shows nothing, which would leave the entry and its notification blank', () => {
    const peer = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
    // zero-width space, word joiner, left-to-right mark, byte order mark, Hangul filler, ideographic space
    for (const invisible of ['\u200B', '\u2060\u200E', '\uFEFF', '\u3164', '\u3000', '\u115F\u1160']) {
      expect(displayName(peer, invisible)).toBe('Peer …eQAJU5SA')
    }
    // joiners inside a name that shows are kept: they make one emoji of several
    expect(displayName(peer, 'Ada 👩\u200D💻')).toBe('Ada 👩\u200D💻')
  })
})
