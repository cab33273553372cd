/**
 * Names of the `performance.mark()` entries the app leaves at the boundaries
 * of its start-up and dialing phases. A mark is a timestamp in the page's
 * performance timeline and nothing else: it costs next to nothing, sends
 * nothing anywhere, and lets the benchmarks (bench/) and the browser's own
 * profiler split "time to talk" into phases without a debug hook.
 */
export const MARKS = {
  /** the session begins opening the store and fetching /relay.json */
  sessionStart: 'peerlink:session-start',
  /** IndexedDB open; storeReady waits for this and for p2pLoaded */
  storeOpen: 'peerlink:store-open',
  /** the lazily loaded libp2p code has arrived and run (the identity needs it) */
  p2pLoaded: 'peerlink:p2p-loaded',
  /** store open and identity loaded: the app works offline from here */
  storeReady: 'peerlink:store-ready',
  /** relay description in (live or saved), libp2p node built (not started) */
  nodeCreated: 'peerlink:node-created',
  /** libp2p started: the app can send and dial */
  sessionReady: 'peerlink:session-ready',
  /** connected to a relay (no reservation yet) */
  relayConnected: 'peerlink:relay-connected',
  /** reservation held: others can reach us */
  relayReserved: 'peerlink:relay-reserved',
  /** a direct dial to a peer starts (signaling through the relay) */
  dialStart: 'peerlink:dial-start',
  /** the direct WebRTC connection to the peer is open */
  dialDirect: 'peerlink:dial-direct',
  // the steps of a direct dial, from libp2p's progress events (see dial.ts)
  /** connected to the relay, opening the circuit (hop) stream */
  dialHop: 'peerlink:dial-hop',
  /** circuit requested: the relay is reaching the peer */
  dialCircuit: 'peerlink:dial-circuit',
  /** the relay joined us to the peer: encrypting the relayed connection */
  dialRelayed: 'peerlink:dial-relayed',
  /** relayed connection to the peer up: opening the signaling stream */
  dialSignaling: 'peerlink:dial-signaling',
  /** signaling stream open, SDP offer made */
  dialOffer: 'peerlink:dial-offer',
  /** SDP answer received: ICE checks, DTLS, SCTP */
  dialIce: 'peerlink:dial-ice'
} as const

export type MarkName = typeof MARKS[keyof typeof MARKS]

/** Leaves a mark in the performance timeline, where there is one. */
export function mark (name: MarkName): void {
  globalThis.performance?.mark?.(name)
}
