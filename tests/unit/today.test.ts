import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => { vi.useRealTimers() })

describe('today', () => {
  it('should move on at local midnight, so rows drawn yesterday are drawn again with their date', async () => {
    vi.useFakeTimers({ now: new Date(2026, 11, 5, 23, 59) })
    vi.resetModules()
    const { today } = await import('../../src/lib/ui/today.svelte.ts')
    expect(new Date(today()).getDate()).toBe(5)
    vi.advanceTimersByTime(30_000)
    expect(new Date(today()).getDate()).toBe(5)
    vi.advanceTimersByTime(2 * 60_000)
    expect(new Date(today()).getDate()).toBe(6)
    // and again the night after
    vi.advanceTimersByTime(24 * 60 * 60_000)
    expect(new Date(today()).getDate()).toBe(7)
  })

  it('should catch up at once when first read after the midnight that followed its loading', async () => {
    vi.useFakeTimers({ now: new Date(2026, 11, 5, 23, 59) })
    vi.resetModules()
    const { today } = await import('../../src/lib/ui/today.svelte.ts')
    vi.setSystemTime(new Date(2026, 11, 6, 8, 0))
    today()
    vi.advanceTimersByTime(2_000)
    expect(new Date(today()).getDate()).toBe(6)
  })
})
