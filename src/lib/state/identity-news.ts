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

/** Whether the stored identity is still `key` (a damaged or missing one is not). */
export async function isStoredIdentity (store: Store, key: PrivateKey, { identityFromBytes }: Pick<P2p, 'identityFromBytes'>): Promise<boolean> {
  const stored = await store.identity.load()
  try {
    return stored != null && identityFromBytes(stored).equals(key)
  } catch {
    return false
  }
}
