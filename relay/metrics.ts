/**
 * The relay's Prometheus metrics: libp2p's own (connections, streams, bytes
 * per protocol, DHT RPCs) through @libp2p/prometheus-metrics, plus ours about
 * reservations, relayed connections, the DHT store and refusals. Each relay
 * gets its own Registry: tests and benchmarks run several in one process, and
 * the global one would mix their numbers or refuse the second's names.
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import type { SingleKadDHT } from '@libp2p/kad-dht'
import { Counter, Gauge, Registry } from 'prom-client'
import type { BoundedDatastore } from './bounded-datastore.ts'
import { DHT_PROVIDER_PREFIX, DHT_RECORD_PREFIX, PEER_RECORD_PREFIX } from './constants.ts'
import type { RelayNode } from './node.ts'

/** The stop protocol: the relay opens one such stream to the destination of every circuit it holds. */
const STOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/stop'

export interface RelayMetrics {
  readonly registry: Registry
  /** for createLibp2p({ metrics }) */
  readonly libp2p: ReturnType<typeof prometheusMetrics>
  /** gauges read from the node on every scrape; call once it has started */
  watch: (node: RelayNode, datastore: BoundedDatastore) => void
  reservation: (status: string) => void
  relayedConnection: () => void
  /** a connection or stream refused by one of our own limits */
  refused: (limit: string) => void
  /** the text format, and its content type */
  scrape: () => Promise<{ contentType: string, body: string }>
}

export function createRelayMetrics (): RelayMetrics {
  const registry = new Registry()
  const registers = [registry]
  let node: RelayNode | undefined
  let datastore: BoundedDatastore | undefined

  const granted = new Counter({ name: 'peerlink_relay_reservations_granted_total', help: 'Reservations made or renewed', registers })
  const refusedReservations = new Counter({
    name: 'peerlink_relay_reservations_refused_total',
    help: 'Reservations refused, by hop status (reservation_refused: the relay is full)',
    labelNames: ['reason'],
    registers
  })
  const relayedOpened = new Counter({ name: 'peerlink_relay_relayed_connections_opened_total', help: 'Circuits the relay joined', registers })
  const refusedByLimit = new Counter({
    name: 'peerlink_relay_limit_refusals_total',
    help: 'Connections or streams refused by a relay limit, by limit',
    labelNames: ['limit'],
    registers
  })
  new Gauge({ // eslint-disable-line no-new
    name: 'peerlink_relay_reservations',
    help: 'Reservations held now',
    registers,
    collect () { this.set(node?.services.relay.reservations.size ?? 0) }
  })
  new Gauge({ // eslint-disable-line no-new
    name: 'peerlink_relay_relayed_connections',
    help: 'Circuits open now (one stop stream each to its destination)',
    registers,
    collect () {
      let open = 0
      for (const conn of node?.getConnections() ?? []) {
        open += conn.streams.filter(s => s.protocol === STOP_PROTOCOL && s.direction === 'outbound').length
      }
      this.set(open)
    }
  })
  new Gauge({ // eslint-disable-line no-new
    name: 'peerlink_relay_connections',
    help: 'Open libp2p connections, by direction',
    labelNames: ['direction'],
    registers,
    collect () {
      const counts = { inbound: 0, outbound: 0 }
      for (const conn of node?.getConnections() ?? []) counts[conn.direction]++
      for (const [direction, value] of Object.entries(counts)) this.set({ direction }, value)
    }
  })
  new Gauge({ // eslint-disable-line no-new
    name: 'peerlink_relay_dht_routing_table_peers',
    help: 'Peers in the DHT routing table',
    registers,
    collect () { this.set((node?.services.dht as SingleKadDHT | undefined)?.routingTable?.size ?? 0) }
  })
  new Gauge({ // eslint-disable-line no-new
    name: 'peerlink_relay_dht_stored',
    help: 'DHT entries held, by kind (record: location records; provider)',
    labelNames: ['kind'],
    registers,
    collect () {
      this.set({ kind: 'record' }, datastore?.count(DHT_RECORD_PREFIX) ?? 0)
      this.set({ kind: 'provider' }, datastore?.count(DHT_PROVIDER_PREFIX) ?? 0)
    }
  })
  new Gauge({ // eslint-disable-line no-new
    name: 'peerlink_relay_peer_records',
    help: 'Peers the peer store remembers, connected or not (bounded, see MAX_PEER_RECORDS)',
    registers,
    collect () { this.set(datastore?.count(PEER_RECORD_PREFIX) ?? 0) }
  })

  return {
    registry,
    // our registry also gets Node's default process metrics (RSS, heap, event loop lag)
    libp2p: prometheusMetrics({ registry }),
    watch (started, store) {
      node = started
      datastore = store
    },
    reservation (status) {
      if (status === 'ok') granted.inc()
      else refusedReservations.inc({ reason: status })
    },
    relayedConnection () { relayedOpened.inc() },
    refused (limit) { refusedByLimit.inc({ limit }) },
    async scrape () {
      return { contentType: registry.contentType, body: await registry.metrics() }
    }
  }
}
