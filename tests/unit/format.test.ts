import { describe, expect, it } from 'vitest'
import { formatTime, peerLabel, peerText, shortPeer } from '../../src/lib/ui/format.ts'

const NOON = new Date(2026, 11, 5, 12, 34).getTime()
/** as src/lib/ui/format.ts shows times: today's with the time of day, older ones with the date too */
const TIME_OPTIONS: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' }
const DATE_OPTIONS: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
const YEAR_OPTIONS: Intl.DateTimeFormatOptions = { year: 'numeric', ...DATE_OPTIONS }

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

  it('adds the year for messages from another year, which would otherwise read as this year\'s', () => {
    const lastYear = new Date(2025, 11, 5, 12, 34).getTime()
    const text = formatTime(lastYear, NOON)
    expect(text).toBe(new Intl.DateTimeFormat(undefined, YEAR_OPTIONS).format(lastYear))
    expect(text).toContain('2025')
    // New Year's Eve, seen on New Year's Day
    const eve = new Date(2026, 11, 31, 23, 50).getTime()
    expect(formatTime(eve, new Date(2027, 0, 1, 0, 10).getTime())).toContain('2026')
    // earlier this year: the date is enough
    expect(formatTime(new Date(2026, 0, 2, 9, 0).getTime(), NOON)).not.toContain('2026')
  })

  it('formats a time again once the day has changed: yesterday\'s "12:33" becomes a date', () => {
    const at = NOON - 60_000
    expect(formatTime(at, NOON)).toBe(new Intl.DateTimeFormat(undefined, TIME_OPTIONS).format(at))
    const tomorrow = NOON + 24 * 60 * 60 * 1000
    expect(formatTime(at, tomorrow)).toBe(new Intl.DateTimeFormat(undefined, DATE_OPTIONS).format(at))
  })
})

const PEER = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
const OTHER = '12D3KooWGRUVh1HLrvwC8CC8aSYRkw3iKPkBzo9oKBPLpHdGRzLc'

describe('names', () => {
  it('shows the end of a long peer ID after a chosen name, and after "Peer" when it chose none', () => {
    expect(shortPeer(PEER)).toBe('…eQAJU5SA')
    expect(shortPeer('short')).toBe('short')
    expect(peerLabel(PEER, 'Ada')).toEqual({ name: 'Ada', id: '…eQAJU5SA', chosen: true })
    expect(peerLabel(PEER, '')).toEqual({ name: 'Peer', id: '…eQAJU5SA', chosen: false })
    expect(peerLabel(PEER, undefined)).toEqual({ name: 'Peer', id: '…eQAJU5SA', chosen: false })
    // in plain text the name is isolated, so a right-to-left one cannot move the ID
    expect(peerText(PEER, 'Ada')).toBe('\u2068Ada\u2069 (…eQAJU5SA)')
    expect(peerText(PEER, undefined)).toBe('Peer …eQAJU5SA')
  })

  it('never shows two peers alike, whatever names they choose', () => {
    // the other peer takes Ada's name, or her very label as a name
    const ada = peerText(PEER, 'Ada')
    for (const name of ['Ada', 'Ada (…eQAJU5SA)', 'Ada …eQAJU5SA', ada]) {
      expect(peerText(OTHER, name)).not.toBe(ada)
      expect(peerText(OTHER, name).endsWith(`(${shortPeer(OTHER)})`)).toBe(true)
    }
    // and the name of a peer that chose none, with the end of the first one's ID
    const unnamed = peerText(PEER, undefined)
    for (const name of ['Peer …eQAJU5SA', 'Peer ⋯eQAJU5SA', 'Peer ‥eQAJU5SA', 'Peer\u3000\u3000…eQAJU5SA']) {
      const shown = peerText(OTHER, name)
      expect(shown).not.toBe(unnamed)
      // the ID's mark is reserved: the only one shown is the real one, last
      expect(shown.match(/[…⋯‥]/gu)).toEqual(['…'])
      expect(shown.endsWith(`(${shortPeer(OTHER)})`)).toBe(true)
    }
  })

  it('shows "Peer" and the ID for a chosen name that shows nothing, which would leave the entry and its notification blank', () => {
    // zero-width space, word joiner, left-to-right mark, byte order mark, Hangul filler, ideographic space
    for (const invisible of ['\u200B', '\u2060\u200E', '\uFEFF', '\u3164', '\u3000', '\u115F\u1160', '…']) {
      expect(peerText(PEER, invisible)).toBe('Peer …eQAJU5SA')
    }
    // joiners inside a name that shows are kept: they make one emoji of several
    expect(peerLabel(PEER, 'Ada 👩\u200D💻').name).toBe('Ada 👩\u200D💻')
  })
})
