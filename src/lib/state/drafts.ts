import { SvelteMap } from 'svelte/reactivity'
import { MAX_MESSAGE_LENGTH } from './limits.ts'
import { showsNothing } from '../shared/invisible.ts'

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

/**
 * The most of one draft kept. More than a message holds: a paste over the
 * limit stays whole while the user shortens it (the composer says how much
 * is over), and must not lose its end on a reload. Bounded all the same, as
 * localStorage holds only about 5 MB per origin for every conversation's
 * draft and the app's settings together: ten messages' worth is 320 KB.
 */
export const MAX_DRAFT_LENGTH = 10 * MAX_MESSAGE_LENGTH

/** Changes not written yet, by peer. */
const pending = new Map<string, string>()
let timer: ReturnType<typeof setTimeout> | undefined
let listening = false
/**
 * Every conversation's draft as this page knows it, for the conversation
 * list ("Draft: …"): read from storage once, then kept up to date by
 * saveDraft and by other tabs' writes. Reactive per conversation, so typing
 * redraws one list entry at most.
 */
let shown: SvelteMap<string, string> | undefined

function key (peer: string): string {
  return `${DRAFT_KEY_PREFIX}${peer}`
}

/** The draft of `peer` for the conversation list ('' if none); the list redraws when it changes. */
export function draftPreview (peer: string): string {
  return known().get(peer) ?? ''
}

function known (): SvelteMap<string, string> {
  if (shown != null) return shown
  // first read from the list's markup: filled as it is made, not changed after (Svelte forbids that there)
  const drafts = new Map<string, string>()
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const name = localStorage.key(i)
      if (name?.startsWith(DRAFT_KEY_PREFIX) === true) drafts.set(name.slice(DRAFT_KEY_PREFIX.length), (localStorage.getItem(name) ?? '').slice(0, MAX_DRAFT_LENGTH))
    }
  } catch {
    // storage disabled: nothing was kept
  }
  // a change not written yet is newer
  for (const [peer, text] of pending) drafts.set(peer, text)
  shown = new SvelteMap([...drafts].filter(([, text]) => text !== ''))
  listen()
  return shown
}

function show (peer: string, text: string): void {
  if (shown == null) return
  if (text === '') {
    if (shown.has(peer)) shown.delete(peer)
  } else if (shown.get(peer) !== text) {
    shown.set(peer, text)
  }
}

/** The unsent text of the conversation with `peer`, or '' if none. */
export function loadDraft (peer: string): string {
  const waiting = pending.get(peer)
  if (waiting != null) return waiting
  try {
    // written by hand, or by another app on this origin: no more than a draft may be
    return (localStorage.getItem(key(peer)) ?? '').slice(0, MAX_DRAFT_LENGTH)
  } catch {
    // storage disabled: nothing was kept
    return ''
  }
}

/** Keeps `text` as the conversation's draft; text that shows nothing (only spaces, say) removes it. */
export function saveDraft (peer: string, text: string): void {
  // as it could not be sent either: the list would show a blank "Draft:"
  const kept = showsNothing(text) ? '' : text.slice(0, MAX_DRAFT_LENGTH)
  pending.set(peer, kept)
  show(peer, kept)
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
      pending.delete(peer)
    } catch {
      // storage full or disabled: kept here, so the conversation opened again
      // still has it (loadDraft reads this first); only a reload would lose it
    }
  }
}

function listen (): void {
  if (listening || typeof document === 'undefined') return
  listening = true
  // the last moments a page is sure to get: a phone may kill a hidden app without another event
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flushDrafts() })
  addEventListener('pagehide', flushDrafts)
  // a draft another tab of the app wrote (or cleared by sending)
  addEventListener('storage', (evt: StorageEvent) => {
    if (evt.key?.startsWith(DRAFT_KEY_PREFIX) === true) show(evt.key.slice(DRAFT_KEY_PREFIX.length), (evt.newValue ?? '').slice(0, MAX_DRAFT_LENGTH))
  })
}
