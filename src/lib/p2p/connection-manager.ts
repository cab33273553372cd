/**
 * Relayed connections this node accepts per second from one host. A relayed
 * connection's address is the relay's, so libp2p's default (5 a second per
 * host) counts every peer that dials us through one relay together: a link
 * opened by a few friends at once (each dial brings a relayed connection for
 * WebRTC's signaling, and a second one when it falls back to the relayed
 * path) was refused from the sixth on, and those friends waited for a redial.
 * What a stranger can send through the relay is bounded there (connections
 * per peer and per IP, circuits per reservation).
 */
export const INBOUND_RELAYED_PER_SECOND = 32

/** The browser node's connection manager settings, shared with the tests that exercise them in Node. */
export const CONNECTION_MANAGER = {
  // the RelayKeeper owns reconnecting to the relay (with back-off, on
  // 'online', and past libp2p's few retries); two owners would race
  reconnectRetries: 0,
  inboundConnectionThreshold: INBOUND_RELAYED_PER_SECOND
}
