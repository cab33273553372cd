/**
 * The relay's libp2p node: a WebSocket listener (on an internal loopback port;
 * the public server hands it its upgrades in-process), circuit relay v2 with
 * limits for real use, identify, ping and a Kademlia DHT server on Peerlink's
 * own protocol.
 */
// first: Node 20 needs a global WebSocket, and ws errors must not crash us
import './ws-compat.ts'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import type { Identify } from '@libp2p/identify'
import type { Connection, Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import type { KadDHT } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import type { Ping } from '@libp2p/ping'
import { isPrivate } from '@libp2p/utils'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { dhtServersOnly } from '../src/lib/shared/addresses.ts'
import { LOCATION_NAMESPACE, selectLocation } from '../src/lib/shared/location-record.ts'
import { keepBootstrapped } from './bootstrap.ts'
import { guardProtocol } from './frame-guard.ts'
import { enforcePeerLimit, peerLimitGater } from './peer-limit.ts'
import { oncePer } from './logger.ts'
import type { Logger } from './logger.ts'
import type { RelayConfig } from './config.ts'
import type { RelayMetrics } from './metrics.ts'
import { observeRelayServer } from './relay-events.ts'
import { BoundedDatastore } from './bounded-datastore.ts'
import { KeptPeerRecords } from './peer-records.ts'
import { newestLocationOnly, recordKey } from './newest-location.ts'
import { guardDhtRequests } from './dht-requests.ts'
import { relayLibp2pLogger } from './libp2p-logger.ts'
import { answerPings } from './ping-responder.ts'
import type { UpgradeTarget } from './upgrade-proxy.ts'
import {
  CONNECTIONS_PER_RESERVATION, DHT_PROTOCOL, INBOUND_CONNECTIONS_PER_SECOND, LIMIT_LOG_INTERVAL_MS, MAX_DHT_MESSAGE_BYTES,
  INBOUND_UPGRADE_TIMEOUT_MS, MAX_HOP_MESSAGE_BYTES, MAX_INCOMING_PENDING_CONNECTIONS, MAX_WS_MESSAGE_BYTES, MIN_MAX_CONNECTIONS, YAMUX_KEEP_ALIVE
} from './constants.ts'
import { DHT_PROVIDER_PREFIX, DHT_RECORD_PREFIX, MAX_DHT_PROVIDERS, MAX_DHT_RECORDS, MAX_PEER_RECORDS, PEER_RECORD_PREFIX, PEER_RECORDS_PER_CONNECTION } from './constants.ts'

export interface RelayServices {
  identify: Identify
  ping: Ping
  relay: CircuitRelayService
  dht: KadDHT
  [key: string]: unknown
}

export type RelayNode = Libp2p<RelayServices>

/** The node's part of the relay's configuration (config.ts says what each limit is), and what it reports to. */
export interface RelayNodeInit extends Pick<RelayConfig, 'bootstrap' | 'maxReservations' | 'reservationTtlMs' | 'pingIntervalMs' |
'relayDurationLimitMs' | 'relayDataLimitBytes' | 'maxConnectionsPerPeer'> {
  privateKey: PrivateKey
  /** public addresses, each ending in /p2p/<our peer ID> */
  announce: string[]
  log: Logger
  metrics: RelayMetrics
}

export interface StartedNode {
  node: RelayNode
  /** the WebSocket listener's upgrade handler, for the upgrades our public server accepts */
  upgrade: UpgradeTarget
  /** every announced address is private (localhost, a LAN): other relays' private addresses are fine to hand out */
  privateNetwork: boolean
}

/** The circuit relay v2 hop protocol, whose handler we guard. */
const HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'

/**
 * libp2p's WebSocket listener needs an address of its own to exist; the
 * public server hands it its upgrades in-process, so nobody needs to connect
 * here, and loopback keeps it unreachable from outside.
 */
const INTERNAL_LISTEN = '/ip4/127.0.0.1/tcp/0/ws'

export async function startRelayNode (init: RelayNodeInit): Promise<StartedNode> {
  // peer IDs cost nothing to make, so these are logged once a minute per kind; the metrics count each one
  const logOnce = oncePer(LIMIT_LOG_INTERVAL_MS)
  const refused = (limit: string, fields: Record<string, unknown>): void => {
    init.metrics.refused(limit)
    if (logOnce(limit)) init.log.warn('refused by a limit', { limit, ...fields, repeatsSilencedMs: LIMIT_LOG_INTERVAL_MS })
  }
  // a public relay must not hand out LAN addresses through the DHT, but relays
  // that only live on loopback or a LAN (tests, home setups) must see each other's
  const privateNetwork = init.announce.every(addr => isPrivate(multiaddr(addr)))
  const maxConnections = Math.max(MIN_MAX_CONNECTIONS, init.maxReservations * CONNECTIONS_PER_RESERVATION)
  const keptPeers = new KeptPeerRecords()
  const datastore = relayDatastore(maxConnections, keptPeers)
  // the gater is built before the node exists and reads its connections once it does
  let started: RelayNode | undefined
  const node = await createLibp2p({
    privateKey: init.privateKey,
    start: false,
    logger: relayLibp2pLogger(),
    datastore,
    connectionGater: peerLimitGater({
      maxConnectionsPerPeer: init.maxConnectionsPerPeer,
      connectionsOf: peer => started?.getConnections(peer).length ?? 0,
      onRefused: peer => { refused('per_peer', { peer: peer.toString(), max: init.maxConnectionsPerPeer }) }
    }),
    metrics: init.metrics.libp2p,
    addresses: {
      listen: [INTERNAL_LISTEN],
      announce: init.announce
    },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({ enableKeepAlive: YAMUX_KEEP_ALIVE })],
    connectionMonitor: { pingInterval: init.pingIntervalMs },
    connectionManager: {
      maxConnections,
      inboundConnectionThreshold: INBOUND_CONNECTIONS_PER_SECOND,
      maxIncomingPendingConnections: MAX_INCOMING_PENDING_CONNECTIONS,
      inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT_MS
    },
    services: {
      identify: identify(),
      ping: ping(),
      relay: circuitRelayServer({
        reservations: {
          maxReservations: init.maxReservations,
          reservationTtl: init.reservationTtlMs,
          applyDefaultLimit: true,
          defaultDurationLimit: init.relayDurationLimitMs,
          defaultDataLimit: BigInt(init.relayDataLimitBytes)
        }
      }),
      dht: kadDHT({
        protocol: DHT_PROTOCOL,
        // the library defaults to client mode; a relay is what the DHT is made of
        clientMode: false,
        // and only peers with an address of their own (not through a relay) count as servers
        peerInfoMapper: dhtServersOnly(privateNetwork ? passthroughMapper : removePrivateAddressesMapper),
        // browsers publish where they can be reached; only signed, fresh records are
        // stored, and none older than the one held (a replay of where a peer used to be)
        validators: { [LOCATION_NAMESPACE]: newestLocationOnly(datastore) },
        selectors: { [LOCATION_NAMESPACE]: selectLocation }
      })
    }
  }) as RelayNode
  started = node
  guardDhtRequests(node.services.dht, {
    holds: async key => await datastore.has(recordKey(key)),
    onRefused: (type, peer) => { refused('dht_request', { type, peer: peer.toString() }) }
  })
  keptPeers.follow(node, init.bootstrap)
  enforcePeerLimit(node, {
    maxConnectionsPerPeer: init.maxConnectionsPerPeer,
    onRefused: peer => { refused('per_peer', { peer: peer.toString(), max: init.maxConnectionsPerPeer }) }
  })

  let upgrade: UpgradeTarget | undefined
  let messagesCapped = false
  node.addEventListener('transport:listening', (event) => {
    // @libp2p/websockets' listener: its onUpgrade is what its own HTTP server calls on 'upgrade'
    const listener = event.detail as unknown as { onUpgrade?: UpgradeTarget, wsServer?: { options?: { maxPayload?: number } } }
    if (typeof listener.onUpgrade === 'function') upgrade = listener.onUpgrade.bind(listener)
    // ws reads it at each upgrade; the library does not let us pass it
    if (listener.wsServer?.options != null) {
      listener.wsServer.options.maxPayload = MAX_WS_MESSAGE_BYTES
      messagesCapped = true
    }
  })
  if (!observeRelayServer(node, {
    onReservation: (peer, status) => {
      init.metrics.reservation(status)
      if (status !== 'ok' && logOnce(`reservation ${status}`)) {
        init.log.warn('reservation refused', { peer: peer.toString(), status, max: init.maxReservations, repeatsSilencedMs: LIMIT_LOG_INTERVAL_MS })
      }
    },
    onRelayedConnection: () => { init.metrics.relayedConnection() }
  })) {
    init.log.warn('this @libp2p/circuit-relay-v2 version hides its reservations: reservation metrics stay at 0')
  }
  node.addEventListener('peer:disconnect', (event) => {
    releaseReservation(node, event.detail)
  })
  await node.start()
  if (upgrade == null) {
    await node.stop()
    throw new Error('the WebSocket listener has no upgrade handler to hand connections to')
  }
  if (!messagesCapped) {
    await node.stop()
    throw new Error('the WebSocket listener has no server whose message size can be capped')
  }
  const onOversized = (protocol: string, connection: Connection, declared: number): void => {
    refused('message_size', { protocol, peer: connection.remotePeer.toString(), declared })
  }
  // the services registered their handlers in start(); replace ping's, put the guards in front of the others
  await answerPings(node)
  await guardProtocol(node, { protocol: HOP_PROTOCOL, maxFrameBytes: MAX_HOP_MESSAGE_BYTES, frames: 'first', onRefused: onOversized })
  await guardProtocol(node, { protocol: DHT_PROTOCOL, maxFrameBytes: MAX_DHT_MESSAGE_BYTES, frames: 'all', onRefused: onOversized })
  init.metrics.watch(node, datastore)
  keepBootstrapped(node, init.bootstrap, init.log)
  return { node, upgrade, privateNetwork }
}

/** What the relay keeps of what peers send, each kind bounded (bounded-datastore.ts); `kept` names the entries that stay. */
export function relayDatastore (maxConnections: number, kept: KeptPeerRecords): BoundedDatastore {
  return new BoundedDatastore([
    // fresh keys cost nothing: a flood of them, each putting its own record,
    // must not push out the records of the browsers connected here
    { prefix: DHT_RECORD_PREFIX, max: MAX_DHT_RECORDS, keep: kept.hasLocation },
    { prefix: DHT_PROVIDER_PREFIX, max: MAX_DHT_PROVIDERS },
    { prefix: PEER_RECORD_PREFIX, max: Math.max(MAX_PEER_RECORDS, maxConnections * PEER_RECORDS_PER_CONNECTION), keep: kept.has }
  ])
}

/**
 * The library keeps a reservation until its TTL even after the browser has
 * gone, and nobody can be relayed to a peer we have no connection to: free the
 * slot at once, so a burst of short visits cannot lock new browsers out for an hour.
 */
function releaseReservation (node: RelayNode, peer: PeerId): void {
  const reservations = node.services.relay.reservations
  const reservation = reservations.get(peer)
  if (reservation == null) return
  // stop its expiry timer first, or it would later delete a newer reservation of the same peer
  reservation.signal.clear()
  reservations.delete(peer)
}
