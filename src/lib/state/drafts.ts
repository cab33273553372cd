import { MAX_MESSAGE_LENGTH } from './limits.ts'

/**
 * Text typed but not sent, per conversation. A messaging app keeps it: going
 * to another conversation and back, a reload (an update, a crashed tab) or
 * the phone closing the installed app must not throw away what the user was
 * writing. Kept in localStorage, beside the app's other small settings: it is
 * read synchronously as the conversation opens, so the text is there in the
 * first frame.
 */
export const DRAFT_KEY_PREFIX = 'peerlink:draft:'

/**
 * Drafts are written at most this often. localStorage writes synchronously on
 * the page's thread, and a draft changes on every keystroke and every send (a
 * burst of 5,000 messages would be 10,000 writes); held back this long, a
 * burst is one write. Written at once when the page is hidden or goes away,
 * so a reload or the phone closing the app never finds an old draft, such as
 * the text of a message the peer has already.
 */
export const DRAFT_WRITE_DELAY_MS = 500

/** Changes not written yet, by peer. */
const pending = new Map<string, string>()
let timer: ReturnType<typeof setTimeout> | undefined
let listening = false

function key (peer: string): string {
  return `${DRAFT_KEY_PREFIX}${peer}`
}

/** The unsent text of the conversation with `peer`, or '' if none. */
export function loadDraft (peer: string): string {
  const waiting = pending.get(peer)
  if (waiting != null) return waiting
  try {
    // longer than a message could not be sent, and the field would not hold it
    return (localStorage.getItem(key(peer)) ?? '').slice(0, MAX_MESSAGE_LENGTH)
  } catch {
    // storage disabled: nothing was kept
    return ''
  }
}

/** Keeps `text` as the conversation's draft; empty (or only spaces) removes it. */
export function saveDraft (peer: string, text: string): void {
  pending.set(peer, text.trim() === '' ? '' : text.slice(0, MAX_MESSAGE_LENGTH))
  listen()
  timer ??= setTimeout(flushDrafts, DRAFT_WRITE_DELAY_MS)
}

/** Writes every draft change now. */
export function flushDrafts (): void {
  clearTimeout(timer)
  timer = undefined
  for (const [peer, text] of pending) {
    try {
      if (text === '') localStorage.removeItem(key(peer))
      else localStorage.setItem(key(peer), text)
    } catch {
      // storage full or disabled: the text stays in the field, only a reload would lose it
    }
  }
  pending.clear()
}

function listen (): void {
  if (listening || typeof document === 'undefined') return
  listening = true
  // the last moments a page is sure to get: a phone may kill a hidden app without another event
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flushDrafts() })
  addEventListener('pagehide', flushDrafts)
}
