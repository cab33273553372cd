import { describe, expect, it } from 'vitest'
import { IME_KEY_CODE, sendsMessage } from '../../src/lib/ui/composer-keys.ts'

const ENTER = { key: 'Enter', shiftKey: false, isComposing: false, keyCode: 13 }

describe('composer keys', () => {
  it('should send on Enter, and start a new line on Shift+Enter', () => {
    expect(sendsMessage(ENTER)).toBe(true)
    expect(sendsMessage({ ...ENTER, shiftKey: true })).toBe(false)
    expect(sendsMessage({ ...ENTER, key: 'a', keyCode: 65 })).toBe(false)
  })

  it('should not send on the Enter that confirms an IME composition', () => {
    // Chromium and Firefox: the composition is still going on
    expect(sendsMessage({ ...ENTER, isComposing: true, keyCode: IME_KEY_CODE })).toBe(false)
    // Safari: compositionend came first, so only the IME's key code tells
    expect(sendsMessage({ ...ENTER, isComposing: false, keyCode: IME_KEY_CODE })).toBe(false)
  })
})
