import { peerDiscoverySymbol, start, stop, type AbortOptions, type PeerDiscovery, type PeerDiscoveryEvents, type PeerDiscoveryProvider, type Startable } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import { DHT_FIRST_SELF_QUERY_MS, DHT_PROTOCOL } from './constants.ts'
import { dhtServersOnly } from '../shared/addresses.ts'
import { LOCATION_NAMESPACE, selectLocation, validateLocation } from '../shared/location-record.ts'
// types only: the library itself is imported on first use, below
import type { KadDHT, KadDHTComponents, QueryEvent } from '@libp2p/kad-dht'

/** What the app asks of the DHT: location records, stored and read (locator.ts). */
export interface ClientDHT {
  put: (key: Uint8Array, value: Uint8Array, options?: AbortOptions) => AsyncIterable<QueryEvent>
  get: (key: Uint8Array, options?: AbortOptions) => AsyncIterable<QueryEvent>
  /** whether the DHT's code has been loaded and started (on the first put or get) */
  readonly loaded: boolean
}

/**
 * The browser's side of Peerlink's DHT: a client that asks the relays (the
 * servers) and publishes and reads location records.
 *
 * kad-dht is a quarter of the libp2p code a page runs before it can dial
 * (178 of 735 KB), and once started it runs a query and updates its routing
 * table in the middle of a link's first dial; yet a page needs it only to
 * publish where it is, a second after its reservation, and to look up a
 * friend whose link's relay does not answer. So the library is loaded and
 * started on the first put or get, and told about the relays already
 * connected by then; later ones it sees for itself. In alternating benchmark
 * runs, a new user's link to delivered took 1236 ms against 1330 loading it
 * at the start, and the dial 378 ms against 445.
 */
export function clientDHT (): (components: KadDHTComponents) => ClientDHT & Startable {
  return components => new LazyClientDHT(components)
}

/**
 * libp2p learns from a peer discovery service the addresses of the peers its
 * DHT hears of, which the DHT's own queries then dial; this service is that
 * for libp2p, and passes on what the DHT finds once it runs.
 */
class LazyClientDHT extends TypedEventEmitter<PeerDiscoveryEvents> implements ClientDHT, PeerDiscovery, Startable {
  readonly [Symbol.toStringTag] = '@peerlink/client-dht'
  readonly [peerDiscoverySymbol] = this
  readonly #components: KadDHTComponents
  #dht: Promise<KadDHT> | undefined
  #loaded = false
  #running = false

  constructor (components: KadDHTComponents) {
    super()
    this.#components = components
  }

  get loaded (): boolean {
    return this.#loaded
  }

  start (): void {
    this.#running = true
  }

  async stop (): Promise<void> {
    this.#running = false
    const dht = await this.#dht?.catch(() => undefined)
    this.#dht = undefined
    this.#loaded = false
    if (dht != null) await stop(dht)
  }

  async * put (key: Uint8Array, value: Uint8Array, options?: AbortOptions): AsyncGenerator<QueryEvent> {
    yield * (await this.#load()).put(key, value, options)
  }

  async * get (key: Uint8Array, options?: AbortOptions): AsyncGenerator<QueryEvent> {
    yield * (await this.#load()).get(key, options)
  }

  #load (): Promise<KadDHT> {
    if (!this.#running) return Promise.reject(new Error('the DHT is not running'))
    if (this.#dht == null) {
      const loading = this.#startDHT()
      this.#dht = loading
      // a failed load (the code could not be fetched) is tried again next time
      loading.catch(() => { if (this.#dht === loading) this.#dht = undefined })
    }
    return this.#dht
  }

  async #startDHT (): Promise<KadDHT> {
    const { kadDHT, passthroughMapper } = await import('@libp2p/kad-dht')
    const dht = kadDHT({
      protocol: DHT_PROTOCOL,
      // browsers cannot accept inbound DHT queries from strangers, so they
      // only ask; the relays are the DHT servers
      clientMode: true,
      // every lookup waits for the first self-query; the library's 1 s
      // delay before it would be paid by the first friend looked up
      initialQuerySelfInterval: DHT_FIRST_SELF_QUERY_MS,
      // relays may sit on a LAN or localhost; keep their addresses. A peer
      // reachable only through a relay (a friend's tab saying it is a DHT
      // server, over our direct connection) is no server to ask or store with
      peerInfoMapper: dhtServersOnly(passthroughMapper),
      // where peers can be reached: signed by the peer, checked here before we dial
      validators: { [LOCATION_NAMESPACE]: validateLocation },
      selectors: { [LOCATION_NAMESPACE]: selectLocation }
    })(this.#components)
    // as libp2p does with a discovery service it was given
    const discovery = (dht as Partial<PeerDiscoveryProvider>)[peerDiscoverySymbol]
    discovery?.addEventListener('peer', evt => { this.safeDispatchEvent('peer', { detail: evt.detail }) })
    await start(dht)
    if (!this.#running) {
      await stop(dht)
      throw new Error('the DHT stopped while it loaded')
    }
    // libp2p tells the DHT's topology about the DHT servers it identifies
    // from now on; the relays identified before the DHT started are told
    // here, as libp2p would have
    const { connectionManager, peerStore, registrar } = this.#components
    const topologies = registrar.getTopologies(DHT_PROTOCOL)
    for (const connection of connectionManager.getConnections()) {
      const peer = await peerStore.get(connection.remotePeer).catch(() => undefined)
      if (peer?.protocols.includes(DHT_PROTOCOL) !== true) continue
      for (const topology of topologies) {
        if (connection.limits != null && topology.notifyOnLimitedConnection !== true) continue
        topology.onConnect?.(connection.remotePeer, connection)
      }
    }
    this.#loaded = true
    return dht
  }
}
