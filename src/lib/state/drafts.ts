import { MAX_MESSAGE_LENGTH } from './limits.ts'

/**
 * Text typed but not sent, per conversation. A messaging app keeps it: going
 * to another conversation and back, a reload (an update, a crashed tab) or
 * the phone closing the installed app must not throw away what the user was
 * writing. Kept in localStorage, beside the app's other small settings: it is
 * read synchronously as the conversation opens, so the text is there in the
 * first frame. Cleared as the message is handed over, not once it is stored:
 * a reload in between must not offer a message the peer may have already.
 */
export const DRAFT_KEY_PREFIX = 'peerlink:draft:'

function key (peer: string): string {
  return `${DRAFT_KEY_PREFIX}${peer}`
}

/** The unsent text of the conversation with `peer`, or '' if none. */
export function loadDraft (peer: string): string {
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
  try {
    if (text.trim() === '') localStorage.removeItem(key(peer))
    else localStorage.setItem(key(peer), text.slice(0, MAX_MESSAGE_LENGTH))
  } catch {
    // storage full or disabled: the text stays in the field, only a reload would lose it
  }
}
