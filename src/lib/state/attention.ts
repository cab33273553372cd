/**
 * Whether the user is looking at this page: shown, and the window they are
 * using. Shown alone is not enough: a desktop window stays "visible" behind
 * the one being typed in, or beside it on another screen. Messages that
 * arrive then stay unread, so no read receipt claims they were seen and a
 * notification tells of them; they are marked read when the window gets the
 * focus back. On a phone the app shown is the app in use, and both agree.
 */
export function userIsLooking (): boolean {
  return document.visibilityState === 'visible' && document.hasFocus()
}

/** Calls back whenever the user may have started or stopped looking; returns the undo. */
export function onAttentionChange (callback: () => void): () => void {
  document.addEventListener('visibilitychange', callback)
  // the window's own events, on the global scope
  addEventListener('focus', callback)
  addEventListener('blur', callback)
  return () => {
    document.removeEventListener('visibilitychange', callback)
    removeEventListener('focus', callback)
    removeEventListener('blur', callback)
  }
}
