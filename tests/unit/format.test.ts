import { describe, expect, it } from 'vitest'
import { formatTime } from '../../src/lib/ui/format.ts'
import { DATE_TIME_OPTIONS, TIME_OPTIONS } from '../../src/lib/ui/intl-options.ts'

describe('formatTime', () => {
  const now = new Date(2026, 11, 2, 15, 30).getTime()

  it('shows a message of today as the time, in the locale Intl uses', () => {
    const today = new Date(2026, 11, 2, 9, 5).getTime()
    expect(formatTime(today, now)).toBe(new Intl.DateTimeFormat(undefined, TIME_OPTIONS).format(today))
  })

  it('adds the date to an older message', () => {
    const older = new Date(2026, 10, 28, 22, 40).getTime()
    const text = formatTime(older, now)
    expect(text).toBe(new Intl.DateTimeFormat(undefined, DATE_TIME_OPTIONS).format(older))
    expect(text).not.toBe(new Intl.DateTimeFormat(undefined, TIME_OPTIONS).format(older))
  })

  it('formats again when the day has changed: yesterday\'s time gains its date', () => {
    const message = new Date(2026, 11, 2, 9, 5).getTime()
    const sameDay = formatTime(message, now)
    const nextDay = formatTime(message, now + 24 * 3600_000)
    expect(nextDay).not.toBe(sameDay)
    expect(nextDay).toBe(new Intl.DateTimeFormat(undefined, DATE_TIME_OPTIONS).format(message))
  })
})
