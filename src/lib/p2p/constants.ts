/**
 * Peerlink's private Kademlia DHT: our own protocol prefix keeps relays out of
 * the public IPFS DHT and keeps its peers out of ours. The relay uses the same string.
 */
export const DHT_PROTOCOL = '/peerlink/kad/1.0.0'

/** How long to wait for /relay.json before telling the user the relay is unreachable. */
export const RELAY_INFO_TIMEOUT_MS = 5_000

/**
 * Per-address dial timeout. Signaling over the relay plus ICE on a reachable
 * path takes well under a second; ICE that cannot connect takes far longer,
 * and the caller retries.
 */
export const DIAL_TIMEOUT_MS = 15_000

/**
 * @libp2p/webrtc 6.0.33 occasionally fails a dial that would succeed on a
 * second try (see patches/); one quick retry hides that from the user.
 */
export const DIAL_ATTEMPTS = 2
