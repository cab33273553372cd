import { createIdentity, identityFromBytes } from '../p2p/identity.ts'
import { formatShareLink } from '../p2p/links.ts'
import { createPeerlinkNode, type PeerlinkNode } from '../p2p/node.ts'
import { RelayKeeper, type RelayStatus } from '../p2p/relay-keeper.ts'
import { fetchRelayInfo, relayAddresses } from '../p2p/relays.ts'
import { openStore, type Store } from '../store/index.ts'
import { MARKS, mark } from '../shared/marks.ts'
import { Messenger } from './messenger.ts'
import type { Multiaddr } from '@multiformats/multiaddr'

export type Phase = 'starting' | 'ready' | 'failed'

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
 * once per page; everything else waits on `ready()`.
 */
class Session {
  #phase = $state<Phase>('starting')
  #error = $state<string | null>(null)
  #peerId = $state<string | null>(null)
  #relay = $state<RelayStatus>('connecting')
  #name = $state('')
  #running: Promise<Running> | undefined
  /** the conversation the user is looking at, if any (nothing there is unread) */
  reading: string | null = null

  get phase (): Phase { return this.#phase }
  get error (): string | null { return this.#error }
  get peerId (): string | null { return this.#peerId }
  get relayStatus (): RelayStatus { return this.#relay }
  get name (): string { return this.#name }
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

  async #start (): Promise<Running> {
    mark(MARKS.sessionStart)
    // the store and the relay description do not depend on each other
    const [store, info] = await Promise.all([openStore(), fetchRelayInfo()])
    mark(MARKS.storeReady)
    let keyBytes = await store.identity.load()
    if (keyBytes == null) {
      keyBytes = await createIdentity()
      await store.identity.save(keyBytes)
    }
    const privateKey = identityFromBytes(keyBytes)
    this.#name = (await store.profile.load())?.name ?? ''
    const relays = relayAddresses(info, location)
    const node = await createPeerlinkNode({ privateKey, relays, iceServers: info.iceServers })
    this.#peerId = node.peerId.toString()
    mark(MARKS.nodeCreated)
    const keeper = new RelayKeeper(node, relays)
    keeper.addEventListener('status', evt => {
      this.#relay = evt.detail
      if (evt.detail === 'connected') mark(MARKS.relayConnected)
      if (evt.detail === 'reserved') mark(MARKS.relayReserved)
    })
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
    mark(MARKS.sessionReady)
    return { node, store, messenger, keeper, relays }
  }

  async setName (name: string): Promise<void> {
    const { store } = await this.ready()
    this.#name = name.trim()
    await store.profile.save({ name: this.#name })
  }
}

export const session = new Session()
