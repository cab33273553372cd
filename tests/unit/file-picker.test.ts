import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PICKER_CANCEL_GRACE_MS, watchPicker, type PickerPage } from '../../src/lib/ui/file-picker.ts'

/** How long a user may spend in the picker: nothing is decided while they are away from the page. */
const LONG_IN_THE_PICKER_MS = 10 * 60 * 1000

function fakePage (): PickerPage & { document: { visibilityState: DocumentVisibilityState } } {
  return { window: new EventTarget(), document: Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState }) }
}

beforeEach(() => { vi.useFakeTimers() })
afterEach(() => { vi.useRealTimers() })

describe('file picker: knowing it closed', () => {
  it('should count a picker cancelled once the window has its focus back and no file came, in a browser without the cancel event', () => {
    const input = new EventTarget()
    const page = fakePage()
    const closed = vi.fn()
    watchPicker(input, page, closed)
    vi.advanceTimersByTime(LONG_IN_THE_PICKER_MS)
    expect(closed).not.toHaveBeenCalled()
    // the focus came back before the picker took it away: the user was not back yet
    page.window.dispatchEvent(new Event('focus'))
    page.window.dispatchEvent(new Event('blur'))
    vi.advanceTimersByTime(LONG_IN_THE_PICKER_MS)
    expect(closed).not.toHaveBeenCalled()
    page.window.dispatchEvent(new Event('focus'))
    expect(closed).not.toHaveBeenCalled()
    vi.advanceTimersByTime(PICKER_CANCEL_GRACE_MS)
    expect(closed).toHaveBeenCalledTimes(1)
    // a file that comes late is the component's to take; the watch is over
    input.dispatchEvent(new Event('change'))
    page.window.dispatchEvent(new Event('focus'))
    vi.advanceTimersByTime(PICKER_CANCEL_GRACE_MS)
    expect(closed).toHaveBeenCalledTimes(1)
  })

  it('should count it cancelled once a phone shows the page again and no file came', () => {
    const page = fakePage()
    const closed = vi.fn()
    watchPicker(new EventTarget(), page, closed)
    page.document.visibilityState = 'hidden'
    page.document.dispatchEvent(new Event('visibilitychange'))
    vi.advanceTimersByTime(LONG_IN_THE_PICKER_MS)
    expect(closed).not.toHaveBeenCalled()
    page.document.visibilityState = 'visible'
    page.document.dispatchEvent(new Event('visibilitychange'))
    vi.advanceTimersByTime(PICKER_CANCEL_GRACE_MS)
    expect(closed).toHaveBeenCalledTimes(1)
  })

  it('should close once on a file chosen after the focus came back, or on the cancel event', () => {
    for (const event of ['change', 'cancel']) {
      const input = new EventTarget()
      const page = fakePage()
      const closed = vi.fn()
      watchPicker(input, page, closed)
      page.window.dispatchEvent(new Event('focus'))
      input.dispatchEvent(new Event(event))
      expect(closed, event).toHaveBeenCalledTimes(1)
      vi.advanceTimersByTime(PICKER_CANCEL_GRACE_MS)
      expect(closed, event).toHaveBeenCalledTimes(1)
    }
  })

  it('should decide nothing once the watch is stopped (the page left)', () => {
    const page = fakePage()
    const closed = vi.fn()
    const stop = watchPicker(new EventTarget(), page, closed)
    page.window.dispatchEvent(new Event('focus'))
    stop()
    vi.advanceTimersByTime(PICKER_CANCEL_GRACE_MS)
    expect(closed).not.toHaveBeenCalled()
  })
})
