import {
  peerDiscoverySymbol, type PeerDiscovery, type PeerDiscoveryEvents, type PeerDiscoveryProvider, type Startable, type Topology
} from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import type { Registrar } from '@libp2p/interface-internal'
import type { KadDHT, KadDHTComponents } from '@libp2p/kad-dht'
import { DHT_FIRST_SELF_QUERY_MS, DHT_PROTOCOL } from './constants.ts'
import { LOCATION_NAMESPACE, selectLocation, validateLocation } from '../shared/location-record.ts'

/** What Peerlink asks of its DHT: location records in and out. */
export type LocationDHT = Pick<KadDHT, 'put' | 'get'> & Startable

/** What kadDHT's node is besides its KadDHT interface: a service libp2p starts, and a source of peers. */
type KadDHTService = KadDHT & Startable & PeerDiscoveryProvider

/**
 * The browser's side of Peerlink's DHT: a client that asks the relays (the
 * servers) and publishes and reads location records.
 *
 * kad-dht and its dependencies are about a quarter of the libp2p code, and
 * nothing on the way to a friend's first message needs them: the link names
 * the relay, and publishing waits for the reservation to settle. So the
 * library is only loaded, and its node only started, on first use, which
 * keeps it out of the code a new tab parses and runs before it can dial.
 */
export function clientDHT (): (components: KadDHTComponents) => LocationDHT {
  return components => new LazyDHT(components)
}

/**
 * Also a source of peer discovery, as kad-dht is: libp2p keeps the addresses
 * of the peers a query hears of (the other relays), and dials them from there.
 */
class LazyDHT extends TypedEventEmitter<PeerDiscoveryEvents> implements LocationDHT, PeerDiscovery {
  readonly [peerDiscoverySymbol] = this
  readonly [Symbol.toStringTag] = '@peerlink/lazy-dht'
  readonly #components: KadDHTComponents
  #loading: Promise<KadDHTService> | undefined
  #running = false

  constructor (components: KadDHTComponents) {
    super()
    this.#components = components
  }

  start (): void {
    this.#running = true
  }

  async stop (): Promise<void> {
    this.#running = false
    const loading = this.#loading
    this.#loading = undefined
    const dht = await loading?.catch(() => undefined)
    await dht?.stop()
  }

  async * put (...args: Parameters<KadDHT['put']>): ReturnType<KadDHT['put']> {
    yield * (await this.#load()).put(...args)
  }

  async * get (...args: Parameters<KadDHT['get']>): ReturnType<KadDHT['get']> {
    yield * (await this.#load()).get(...args)
  }

  async #load (): Promise<KadDHTService> {
    if (!this.#running) throw new Error('The DHT is not running')
    if (this.#loading == null) {
      const loading = this.#create()
      this.#loading = loading
      // a failed load (a new deploy removed the chunk, offline) is tried again next time
      loading.catch(() => { if (this.#loading === loading) this.#loading = undefined })
    }
    return await this.#loading
  }

  async #create (): Promise<KadDHTService> {
    const { kadDHT, passthroughMapper } = await import('@libp2p/kad-dht')
    const dht = kadDHT({
      protocol: DHT_PROTOCOL,
      // browsers cannot accept inbound DHT queries from strangers, so they
      // only ask; the relays are the DHT servers
      clientMode: true,
      // every lookup waits for the first self-query; the library's 1 s
      // delay before it would be paid by the first friend looked up
      initialQuerySelfInterval: DHT_FIRST_SELF_QUERY_MS,
      // relays may sit on a LAN or localhost; keep their addresses
      peerInfoMapper: passthroughMapper,
      // where peers can be reached: signed by the peer, checked here before we dial
      validators: { [LOCATION_NAMESPACE]: validateLocation },
      selectors: { [LOCATION_NAMESPACE]: selectLocation }
    })(withLateRegistrar(this.#components)) as KadDHTService
    dht[peerDiscoverySymbol].addEventListener('peer', evt => { this.safeDispatchEvent('peer', { detail: evt.detail }) })
    await dht.start()
    if (!this.#running) {
      await dht.stop()
      throw new Error('The DHT was stopped while it loaded')
    }
    return dht
  }
}

/**
 * The node's components, with a registrar that tells a topology registered
 * now about the peers already connected with its protocol, as libp2p would
 * have told it had it been there from the start: the relays were identified
 * long before the DHT loaded, and it finds its servers that way.
 */
function withLateRegistrar (components: KadDHTComponents): KadDHTComponents {
  const { registrar, connectionManager, peerStore } = components
  const late: Registrar = new Proxy(registrar, {
    get (target, prop) {
      if (prop === 'register') {
        return async (protocol: string, topology: Topology): Promise<string> => {
          const id = await target.register(protocol, topology)
          for (const connection of connectionManager.getConnections()) {
            if (connection.limits != null && topology.notifyOnLimitedConnection !== true) continue
            const peer = await peerStore.get(connection.remotePeer).catch(() => undefined)
            if (peer?.protocols.includes(protocol) === true) topology.onConnect?.(connection.remotePeer, connection)
          }
          return id
        }
      }
      const value: unknown = Reflect.get(target, prop)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
  return new Proxy(components, {
    get: (target, prop) => prop === 'registrar' ? late : Reflect.get(target, prop)
  })
}
