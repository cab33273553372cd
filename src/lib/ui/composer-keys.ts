/**
 * The key code a keydown carries when an input method (IME) handles the key.
 * Safari ends a composition before the Enter that confirms it reaches the
 * page, so that Enter says isComposing: false; this code is what still marks
 * it as the IME's (WebKit bug 165004).
 */
export const IME_KEY_CODE = 229

/** The parts of a keydown that decide what it does in the composer. */
export type ComposerKey = Pick<KeyboardEvent, 'key' | 'shiftKey' | 'isComposing' | 'keyCode'>

/**
 * Enter sends; Shift+Enter starts a new line; an Enter that confirms the word
 * being composed in Japanese, Chinese or Korean only confirms it.
 */
export function sendsMessage (e: ComposerKey): boolean {
  return e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== IME_KEY_CODE
}
