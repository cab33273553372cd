import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createIdentity, identityFromBytes } from '../p2p/identity.ts'
import { formatShareLink } from '../p2p/links.ts'
import { createPeerlinkNode, type PeerlinkNode } from '../p2p/node.ts'
import { RelayKeeper, type RelayStatus } from '../p2p/relay-keeper.ts'
import { relayAddresses } from '../p2p/relays.ts'
import { openStore, type Store } from '../store/index.ts'
import { Messenger } from './messenger.ts'
import { obtainRelayInfo } from './relay-source.ts'
import type { PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export type Phase = 'starting' | 'ready' | 'failed'

/** What works without any network: the stored data and who we are. */
export interface Local {
  store: Store
  peerId: string
}

/** What the running app is made of once it has started. */
export interface Running {
  node: PeerlinkNode
  store: Store
  messenger: Messenger
  keeper: RelayKeeper
  relays: Multiaddr[]
}

/**
 * The app's own node: identity, relay connection and the messenger. Starts in
 * two steps, so the app is useful offline: `local()` (the store and the
 * identity) needs no network; `ready()` (the node) waits for a relay
 * description, live or from the last visit, and the RelayKeeper reconnects
 * when the relay comes back.
 */
class Session {
  #phase = $state<Phase>('starting')
  #error = $state<string | null>(null)
  #peerId = $state<string | null>(null)
  #relay = $state<RelayStatus>('connecting')
  #name = $state('')
  #online = $state(typeof navigator === 'undefined' || navigator.onLine)
  #local: Promise<Local & { privateKey: PrivateKey }> | undefined
  #running: Promise<Running> | undefined
  /** the conversation the user is looking at, if any (nothing there is unread) */
  reading: string | null = null

  get phase (): Phase { return this.#phase }
  get error (): string | null { return this.#error }
  get peerId (): string | null { return this.#peerId }
  get relayStatus (): RelayStatus { return this.#relay }
  get name (): string { return this.#name }
  /** the browser has a network (navigator.onLine): false means surely offline, true only maybe online */
  get online (): boolean { return this.#online }
  get link (): string {
    return this.#peerId != null ? formatShareLink(location.origin, this.#peerId) : ''
  }

  /** Opens the store and loads the identity once; needs no network. */
  local (): Promise<Local> {
    return this.#withKey()
  }

  #withKey (): Promise<Local & { privateKey: PrivateKey }> {
    this.#local ??= this.#openLocal().catch((err: Error) => this.#fail(err))
    return this.#local
  }

  /** Starts the node once; later calls get the same result. */
  ready (): Promise<Running> {
    this.#running ??= this.#start().catch((err: Error) => this.#fail(err))
    return this.#running
  }

  #fail (err: Error): never {
    this.#phase = 'failed'
    this.#error = err.message
    throw err
  }

  async #openLocal (): Promise<Local & { privateKey: PrivateKey }> {
    addEventListener('online', () => { this.#online = true })
    addEventListener('offline', () => { this.#online = false })
    const store = await openStore()
    let keyBytes = await store.identity.load()
    if (keyBytes == null) {
      keyBytes = await createIdentity()
      await store.identity.save(keyBytes)
    }
    const privateKey = identityFromBytes(keyBytes)
    this.#name = (await store.profile.load())?.name ?? ''
    const peerId = peerIdFromPrivateKey(privateKey).toString()
    this.#peerId = peerId
    return { store, peerId, privateKey }
  }

  async #start (): Promise<Running> {
    const { store, privateKey } = await this.#withKey()
    const info = await obtainRelayInfo(() => { this.#relay = 'offline' })
    const relays = relayAddresses(info, location)
    const node = await createPeerlinkNode({ privateKey, relays, iceServers: info.iceServers })
    const keeper = new RelayKeeper(node, relays)
    keeper.addEventListener('status', evt => { this.#relay = evt.detail })
    const messenger = new Messenger({
      node,
      store,
      relays: () => relays,
      isReading: peer => peer === this.reading && document.visibilityState === 'visible',
      name: () => this.#name
    })
    await node.start()
    messenger.start()
    keeper.start()
    this.#phase = 'ready'
    return { node, store, messenger, keeper, relays }
  }

  async setName (name: string): Promise<void> {
    const { store } = await this.local()
    this.#name = name.trim()
    await store.profile.save({ name: this.#name })
  }

  /** Replaces this browser's identity (from a backup); the caller reloads so the node starts as it. */
  async replaceIdentity (keyBytes: Uint8Array): Promise<void> {
    identityFromBytes(keyBytes)
    const { store } = await this.local()
    await store.identity.save(keyBytes)
  }

  /** The stored identity key, for a backup. */
  async identityBytes (): Promise<Uint8Array> {
    const { store } = await this.local()
    const bytes = await store.identity.load()
    if (bytes == null) throw new Error('This browser has no identity yet.')
    return bytes
  }
}

export const session = new Session()
