import { createIdentity, identityFromBytes } from '../p2p/identity.ts'
import { formatShareLink } from '../p2p/links.ts'
import { createPeerlinkNode, type PeerlinkNode } from '../p2p/node.ts'
import { RelayKeeper, type RelayStatus } from '../p2p/relay-keeper.ts'
import { fetchRelayInfo, relayAddresses } from '../p2p/relays.ts'
import { openStore, type Store } from '../store/index.ts'
import { Messenger } from './messenger.ts'
import { acquireTabLock } from './tab-lock.ts'
import type { Multiaddr } from '@multiformats/multiaddr'

/** starting: booting; standby: another tab runs Peerlink; ready: running here; failed: see error */
export type Phase = 'starting' | 'standby' | 'ready' | 'failed'

/** What the running app is made of once it has started. */
export interface Running {
  node: PeerlinkNode
  store: Store
  messenger: Messenger
  keeper: RelayKeeper
  relays: Multiaddr[]
}

/**
 * The app's own node: identity, relay connection and the messenger. Starts
 * once per page, in the one tab that holds the node lock; everything else
 * waits on `ready()`.
 */
class Session {
  #phase = $state<Phase>('starting')
  #error = $state<string | null>(null)
  #notice = $state<string | null>(null)
  #peerId = $state<string | null>(null)
  #relay = $state<RelayStatus>('connecting')
  #name = $state('')
  #readReceipts = $state(true)
  #running: Promise<Running> | undefined
  #current: Running | undefined
  /** the conversation the user is looking at, if any (nothing there is unread) */
  reading: string | null = null

  get phase (): Phase { return this.#phase }
  get error (): string | null { return this.#error }
  /** a message about the app as a whole that is not an error (another tab, storage) */
  get notice (): string | null { return this.#notice }
  get peerId (): string | null { return this.#peerId }
  get relayStatus (): RelayStatus { return this.#relay }
  get name (): string { return this.#name }
  get readReceipts (): boolean { return this.#readReceipts }
  get link (): string {
    return this.#peerId != null ? formatShareLink(location.origin, this.#peerId) : ''
  }

  /** Starts the node once; later calls get the same result. */
  ready (): Promise<Running> {
    this.#running ??= this.#start().catch((err: Error) => {
      this.#phase = 'failed'
      this.#error = err.message
      throw err
    })
    return this.#running
  }

  /**
   * "Use Peerlink here": take the lock from the other tab (which stops its
   * node), then start afresh in this one.
   */
  async takeOver (): Promise<void> {
    if (this.#phase !== 'standby') return
    await acquireTabLock({ steal: true, onWaiting: () => {}, onLost: () => {} })
    location.reload()
  }

  async #start (): Promise<Running> {
    await acquireTabLock({
      onWaiting: () => {
        this.#phase = 'standby'
        this.#notice = 'Peerlink is open in another tab. It continues here when you close that tab, or you can use it here instead.'
      },
      onLost: () => { void this.#yield() }
    })
    this.#notice = null
    this.#phase = 'starting'
    // the store and the relay description do not depend on each other
    const [store, info] = await Promise.all([
      openStore({
        onBlocked: () => { this.#notice = 'Close other Peerlink tabs to finish updating its storage.' },
        onClosed: () => { this.#error = 'Peerlink was updated in another tab. Reload this page to continue.' }
      }),
      fetchRelayInfo()
    ])
    void this.#persistStorage()
    const keyBytes = await store.identity.load() ?? await store.identity.saveIfAbsent(await createIdentity())
    const privateKey = identityFromBytes(keyBytes)
    const profile = await store.profile.load()
    this.#name = profile?.name ?? ''
    this.#readReceipts = profile?.readReceipts ?? true
    const relays = relayAddresses(info, location)
    const node = await createPeerlinkNode({ privateKey, relays, iceServers: info.iceServers })
    this.#peerId = node.peerId.toString()
    const keeper = new RelayKeeper(node, relays)

    const messenger = new Messenger({
      node,
      store,
      relays: () => relays,
      isReading: peer => peer === this.reading && document.visibilityState === 'visible',
      name: () => this.#name,
      readReceipts: () => this.#readReceipts
    })
    keeper.addEventListener('status', evt => {
      this.#relay = evt.detail
      // signaling runs through the relay: peers that were out of reach may be reachable again
      if (evt.detail === 'reserved') messenger.retryNow()
    })
    await node.start()
    messenger.start()
    keeper.start()
    this.#current = { node, store, messenger, keeper, relays }
    this.#phase = 'ready'
    return this.#current
  }

  /** Another tab took over: stop our node so only one runs, and say so. */
  async #yield (): Promise<void> {
    const running = this.#current
    this.#current = undefined
    this.#phase = 'standby'
    this.#notice = 'Peerlink is now running in another tab. You can use it here instead.'
    if (running == null) return
    running.keeper.stop()
    running.messenger.stop()
    await Promise.resolve(running.node.stop()).catch(() => {})
    running.store.close()
  }

  /** Asks the browser not to evict our data under storage pressure (messages exist nowhere else). */
  async #persistStorage (): Promise<void> {
    try {
      if (await navigator.storage?.persisted?.() === false) await navigator.storage.persist()
    } catch {
      // not granted or not supported: the data is still kept, just evictable
    }
  }

  async setName (name: string): Promise<void> {
    const { store } = await this.ready()
    this.#name = name.trim()
    await store.profile.save({ name: this.#name, readReceipts: this.#readReceipts })
  }

  async setReadReceipts (on: boolean): Promise<void> {
    const { store } = await this.ready()
    this.#readReceipts = on
    await store.profile.save({ name: this.#name, readReceipts: on })
  }
}

export const session = new Session()
