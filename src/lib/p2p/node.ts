import { noise, pureJsCrypto, type ICryptoInterface } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p, type Libp2p } from 'libp2p'
import { chat, type Chat } from './chat/index.ts'
import { CONNECTION_MANAGER } from './connection-manager.ts'
import { DATA_CHANNEL_MESSAGE_BYTES } from './constants.ts'
import { reachesServer } from './connectivity.ts'
import { debugLogger } from './debug-log.ts'
import { clientDHT, type ClientDHT } from './dht.ts'
import { relayGater } from './gater.ts'
import { handshakeKeys, type HandshakeKeyPool } from './handshake-keys.ts'
import { KnownRelays } from './known-relays.ts'
import { onlyOurRelays } from './relay-guard.ts'
import type { IceServer } from '../shared/relay-info.ts'
import type { Identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { Multiaddr } from '@multiformats/multiaddr'

export type PeerlinkServices = {
  identify: Identify
  ping: Ping
  chat: Chat
  dht: ClientDHT
}

export type PeerlinkNode = Libp2p<PeerlinkServices>

export interface NodeOptions {
  privateKey: PrivateKey
  /** the relays this browser may use, best first */
  relays: Multiaddr[]
  /** other relays of the same DHT, which the browser may dial to find and reach peers that use them */
  otherRelays?: Multiaddr[]
  /** the relays as they change while the node runs (relay-refresh); else `relays` and `otherRelays` for good */
  known?: KnownRelays
  /**
   * STUN/TURN servers from the relay, never the library's public defaults;
   * asked for each new WebRTC connection, since TURN credentials expire
   */
  iceServers: () => Promise<IceServer[]>
  /** peer IDs (string form) the user blocked, read at each dial and connection; none if not given */
  blocked?: () => ReadonlySet<string>
}

/** Noise's pure-JS crypto, with its ephemeral and static keys taken from `pool` when it has one. */
export function pooledNoiseCrypto (pool: HandshakeKeyPool): ICryptoInterface {
  return {
    ...pureJsCrypto,
    generateX25519KeyPair: () => pool.take() ?? pureJsCrypto.generateX25519KeyPair()
  }
}

/**
 * The browser's libp2p node: WebSockets to reach relays, circuit relay v2 to
 * be reachable through them, and WebRTC for the direct browser-to-browser
 * connection whose signaling runs over the circuit. The node is created
 * stopped; the caller starts it and hands it to a RelayKeeper.
 */
export async function createPeerlinkNode (options: NodeOptions): Promise<PeerlinkNode> {
  const known = options.known ?? new KnownRelays(options.relays, options.otherRelays ?? [])
  const node = await createLibp2p({
    privateKey: options.privateKey,
    start: false,
    logger: await debugLogger(),
    addresses: {
      // '/p2p-circuit' makes a reservation on whichever relay we connect to
      // (the RelayKeeper makes sure we stay connected to one); '/webrtc'
      // accepts WebRTC connections signaled through that reservation
      listen: ['/p2p-circuit', '/webrtc']
    },
    transports: [
      webSockets(),
      webRTC({ rtcConfiguration: async () => ({ iceServers: await options.iceServers() }), dataChannel: { maxMessageSize: DATA_CHANNEL_MESSAGE_BYTES } }),
      circuitRelayTransport()
    ],
    connectionEncrypters: [noise({ crypto: pooledNoiseCrypto(handshakeKeys) })],
    streamMuxers: [yamux()],
    connectionGater: relayGater(() => known.all, options.blocked),
    connectionManager: CONNECTION_MANAGER,
    // liveness.ts pings instead: this monitor drops a connection on the first
    // failed ping, even one that failed only because a second ping of the same
    // connection was in flight, and a busy tab misses one now and then
    connectionMonitor: { enabled: false },
    services: {
      // run by identifyRelays below, not on every connection
      identify: identify({ runOnConnectionOpen: false }),
      ping: ping(),
      chat: chat(),
      dht: clientDHT()
    }
  })
  identifyRelays(node)
  onlyOurRelays(node, known)
  return node
}

/**
 * Identify tells this node what a relay offers (a reservation, the DHT),
 * which is how the relay and DHT code start using it. Another browser,
 * reached through a circuit or over WebRTC, offers nothing identify would
 * change: chat opens its stream without asking first. Identifying those
 * connections anyway is a stream, a signed record and its check on both
 * pages, right when the dial and the first message want the CPU.
 */
function identifyRelays (node: PeerlinkNode): void {
  node.addEventListener('connection:open', ({ detail: connection }) => {
    if (reachesServer(connection)) node.services.identify.identify(connection).catch(() => {})
  })
}
