import { openStore, type OpenStoreOptions, type Store } from '../store/index.ts'
import { MARKS, mark } from '../shared/marks.ts'
import { loadP2p } from './p2p-loader.ts'
import { tellIdentityReplaced } from './identity-news.ts'
import { persistStorage } from './persist-storage.ts'
import { loadIdentity } from './local-identity.ts'
import type { Local } from './running.ts'
import type { PrivateKey } from '@libp2p/interface'

/** What the session does when storage blocks or goes (see OpenStoreOptions). */
export type StorageHooks = Required<Pick<OpenStoreOptions, 'onBlocked' | 'onClosed'>>

/**
 * The session's first step, the one that needs no network and no node lock:
 * the store, who we are (the identity and its share link) and what we call
 * ourselves, read once, so every tab shows them at once, even one that waits
 * for another to run the node. The identity key is also what a backup saves
 * and replaces; replacing works with the store alone, so a damaged identity
 * can be mended without losing the conversations.
 */
export class LocalData {
  #peerId = $state<string | null>(null)
  #link = $state('')
  #name = $state('')
  #readReceipts = $state(true)
  #loaded: Promise<Local & { privateKey: PrivateKey }> | undefined
  #store: Promise<Store> | undefined
  readonly #hooks: StorageHooks

  constructor (hooks: StorageHooks) {
    this.#hooks = hooks
  }

  get peerId (): string | null { return this.#peerId }
  get link (): string { return this.#link }
  get name (): string { return this.#name }
  get readReceipts (): boolean { return this.#readReceipts }

  /** Opens the store and loads the identity, once. */
  load (): Promise<Local & { privateKey: PrivateKey }> {
    this.#loaded ??= this.#load()
    return this.#loaded
  }

  async #load (): Promise<Local & { privateKey: PrivateKey }> {
    const p2p = loadP2p()
    const store = await this.#openStoreOnce()
    mark(MARKS.storeOpen)
    void persistStorage()
    const { privateKey, peerId, profile } = await loadIdentity(store, p2p)
    this.#name = profile?.name ?? ''
    this.#readReceipts = profile?.readReceipts ?? true
    this.#peerId = peerId
    this.#link = (await p2p).formatShareLink(location.origin, peerId)
    return { store, peerId, privateKey }
  }

  /** The store alone: a backup can replace a damaged identity, which fails load(). */
  #openStoreOnce (): Promise<Store> {
    this.#store ??= openStore(this.#hooks)
    return this.#store
  }

  async setName (name: string): Promise<void> {
    const { store } = await this.load()
    this.#name = name.trim()
    await store.profile.save({ name: this.#name, readReceipts: this.#readReceipts })
  }

  async setReadReceipts (on: boolean): Promise<void> {
    const { store } = await this.load()
    this.#readReceipts = on
    await store.profile.save({ name: this.#name, readReceipts: on })
  }

  /**
   * Replaces this browser's identity (from a backup); the caller reloads so
   * the node starts as it. Works on a damaged stored identity too, which a
   * backup is the one way to mend without losing the conversations.
   */
  async replaceIdentity (keyBytes: Uint8Array): Promise<void> {
    const { identityFromBytes } = await loadP2p()
    identityFromBytes(keyBytes)
    const store = await this.#openStoreOnce()
    await store.identity.save(keyBytes)
    tellIdentityReplaced()
  }

  /** The stored identity key, for a backup. */
  async identityBytes (): Promise<Uint8Array> {
    const { store } = await this.load()
    const bytes = await store.identity.load()
    if (bytes == null) throw new Error('This browser has no identity yet.')
    return bytes
  }
}
