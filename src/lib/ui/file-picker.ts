/**
 * How long after the page has the user back (the window's focus, or the page
 * shown again on a phone) a picker with no `cancel` event counts as cancelled
 * if no file came. A chosen file's `change` follows the focus within tens of
 * milliseconds on a desktop; a phone copying a file out of a cloud drive may
 * take longer, which costs little: the hold let go too early only matters if
 * the page is hidden again before the file comes, and the file, once there,
 * holds the reload again.
 */
export const PICKER_CANCEL_GRACE_MS = 1_000

/** The page, as far as knowing the user came back to it goes. */
export interface PickerPage {
  window: EventTarget
  document: EventTarget & { visibilityState: DocumentVisibilityState }
}

/**
 * Calls `onClosed` once when the file picker just opened from `input` is
 * closed: on the input's `change` or `cancel`, or, in browsers without
 * `cancel` (Chromium before 113, Firefox before 91, Safari before 16.4), once
 * the page has the user back and no file came within PICKER_CANCEL_GRACE_MS.
 * Without that, a cancelled picker would be taken as open until the user
 * left the page. Returns a function that stops watching.
 */
export function watchPicker (input: EventTarget, page: PickerPage, onClosed: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  const closed = (): void => {
    stop()
    onClosed()
  }
  const back = (): void => {
    clearTimeout(timer)
    timer = setTimeout(closed, PICKER_CANCEL_GRACE_MS)
  }
  // away again (the picker opened only now, or again): nothing is decided while the user is in it
  const away = (): void => { clearTimeout(timer) }
  const shown = (): void => { if (page.document.visibilityState === 'visible') back(); else away() }
  function stop (): void {
    clearTimeout(timer)
    input.removeEventListener('change', closed)
    input.removeEventListener('cancel', closed)
    page.window.removeEventListener('focus', back)
    page.window.removeEventListener('blur', away)
    page.document.removeEventListener('visibilitychange', shown)
  }
  input.addEventListener('change', closed)
  input.addEventListener('cancel', closed)
  page.window.addEventListener('focus', back)
  page.window.addEventListener('blur', away)
  page.document.addEventListener('visibilitychange', shown)
  return stop
}
