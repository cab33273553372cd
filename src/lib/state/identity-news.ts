import type { PrivateKey } from '@libp2p/interface'
import type { Store } from '../store/index.ts'
import type { P2p } from './p2p-loader.ts'

/**
 * Every tab loads the identity once, at its start. A backup imported in one
 * tab replaces the stored identity under all the others: the tab that runs
 * the node would keep the old identity online, and a tab waiting in line for
 * the node lock would start it as the old one when the importing tab reloads.
 * The importing tab says so on this channel; the others compare what they
 * loaded with what is stored now.
 */
export const IDENTITY_CHANNEL = 'peerlink:identity'

/** What a tab whose identity was replaced says, until it is reloaded. */
export const IDENTITY_REPLACED = 'Your identity was replaced from a backup in another tab. Reload this page to go on as it.'

// one channel for hearing and telling: a channel does not hear itself, so the tab that tells does not halt
let channel: BroadcastChannel | undefined

function shared (): BroadcastChannel | undefined {
  if (typeof BroadcastChannel !== 'function') return undefined
  channel ??= new BroadcastChannel(IDENTITY_CHANNEL)
  return channel
}

/** Tells the other tabs that the stored identity was just replaced. */
export function tellIdentityReplaced (): void {
  shared()?.postMessage('replaced')
}

/** Calls `onNews` when another tab replaced the stored identity. */
export function hearIdentityReplaced (onNews: () => void): void {
  shared()?.addEventListener('message', () => { onNews() })
}

/**
 * Calls `onBack` when this tab comes back from being frozen (the page
 * lifecycle's `resume`, a background tab on a phone or under memory
 * pressure), from the back/forward cache, or into sight: what the channel
 * said meanwhile may never have reached it, and a tab that missed it would
 * go on as the identity that was replaced. Reading the stored one again on
 * each return costs one IndexedDB read.
 */
export function hearReturn (
  onBack: () => void,
  doc: Pick<Document, 'addEventListener' | 'visibilityState'> | undefined = globalThis.document,
  win: Pick<Window, 'addEventListener'> = globalThis as unknown as Window
): void {
  // no page (a test, a worker): nothing to come back to
  if (doc == null) return
  doc.addEventListener('resume', () => { onBack() })
  doc.addEventListener('visibilitychange', () => { if (doc.visibilityState === 'visible') onBack() })
  win.addEventListener('pageshow', event => { if (event.persisted) onBack() })
}

/** Whether the stored identity is still `key` (a damaged or missing one is not). */
export async function isStoredIdentity (store: Store, key: PrivateKey, { identityFromBytes }: Pick<P2p, 'identityFromBytes'>): Promise<boolean> {
  const stored = await store.identity.load()
  try {
    return stored != null && identityFromBytes(stored).equals(key)
  } catch {
    return false
  }
}
