/**
 * Peerlink's private Kademlia DHT: our own protocol prefix keeps relays out of
 * the public IPFS DHT and keeps its peers out of ours. The relay uses the same string.
 */
export const DHT_PROTOCOL = '/peerlink/kad/1.0.0'

/**
 * kad-dht holds every query until its first self-query has run, which it
 * starts 1 s after its own start by default (in the browser, on the DHT's
 * first use: dht.ts). Starting it at once (it only waits for the relay to
 * show up in the routing table) takes that second off the first publish and
 * the first lookup of a friend on another relay.
 */
export const DHT_FIRST_SELF_QUERY_MS = 0

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

/**
 * How long the first direct (WebRTC) attempt may take before chat falls back
 * to the relayed connection. ICE on a reachable path, TURN included, connects
 * within about half a second of signaling; ICE that cannot connect takes
 * about 15 s to say so, and nobody should wait that long to chat. The direct
 * attempt goes on in the background and takes over when it succeeds.
 */
export const DIRECT_GRACE_MS = 4_000

/**
 * One quick retry of the direct path right after a fallback to the relay. A
 * direct attempt that failed fast usually hit something passing (the relay
 * still routing to the peer's connection from before a reload, a dropped
 * signaling message) and works on the next try; ICE that truly cannot connect
 * costs one more background attempt, nothing the user waits for.
 */
export const UPGRADE_SOON_MS = 2_000

/**
 * When a direct connection dies, both ends see it and both would try again at
 * UPGRADE_SOON_MS: two ICE runs and, as neither knows of the other's, two
 * direct connections. The end whose peer ID sorts higher (defersOnGlare, the
 * rule redials follow too) waits this much longer, time for the other's attempt (a few hundred ms on a good path), and
 * finds the path back already, or makes its own attempt when that one failed.
 */
export const UPGRADE_YIELD_MS = 3_000

/** Background retries after the quick one start at this: NAT state may change soon (a network switch). */
export const UPGRADE_MIN_MS = 15_000

/** Retries slow down to this: each one costs an ICE run on both ends and signaling through the relay. */
export const UPGRADE_MAX_MS = 5 * 60_000

/**
 * A direct connection an upgrade made must last this long for its death to
 * start the next upgrade over with the quick try: a path that connects and
 * dies again at once (a flaky NAT) would otherwise cost both ends an ICE run
 * every few seconds for good.
 */
export const UPGRADE_STABLE_MS = 5_000

/** A relayed conversation stops trying after this many failed upgrades; a new dial starts over. */
export const UPGRADE_MAX_ATTEMPTS = 20

/**
 * Re-publish our location this often while online: a third of the record's
 * lifetime (LOCATION_TTL_MS, one hour), so two publications can fail before
 * friends on other relays stop finding us, and relays that restarted (and
 * forgot every record) learn it again soon.
 */
export const LOCATION_REPUBLISH_MS = 20 * 60_000

/**
 * A publication waits this long after our addresses change. They change in
 * bursts (the reservation, then the WebRTC address on it), and the first
 * burst comes while a link just opened is still being dialed: the record,
 * its signature and the DHT round trips then take CPU the dial needs, for the
 * sake of friends on other relays, who can wait a second.
 */
export const LOCATION_SETTLE_MS = 1_000

/** A failed publication is retried soon: the DHT may just not know a server yet. */
export const LOCATION_RETRY_MIN_MS = 2_000
export const LOCATION_RETRY_MAX_MS = 60_000

/** One publication walks to the closest relays and stores there; on a working network it takes well under a second. */
export const LOCATION_PUBLISH_TIMEOUT_MS = 15_000

/**
 * A lookup asks the relays closest to the peer's key. With a handful of
 * relays that is one or two round trips; a user waiting on a dial should not
 * wait longer than this for a peer that is nowhere to be found.
 */
export const LOCATION_LOOKUP_TIMEOUT_MS = 8_000

/**
 * Once one server answered with a valid record, a lookup waits this much
 * longer for a newer one from the others, then stops. A peer publishes to
 * every server closest to its key, so the first record is almost always the
 * newest; without an end, one stalled server (a relay that went silent, or a
 * hostile one) held every friend's dial for the whole LOCATION_LOOKUP_TIMEOUT_MS.
 * A server that answers at all does within a round trip or two.
 */
export const LOCATION_LOOKUP_GRACE_MS = 1_000

/**
 * What @libp2p/webrtc takes off the message size for its framing (length
 * prefix, flag, field tag and length: its PROTOBUF_OVERHEAD, not exported).
 */
export const WEBRTC_FRAMING_BYTES = 7

/**
 * Largest data channel message a stream sends: a 64 KiB write (what a file
 * transfer hands a stream at a time) plus the framing, so that each such
 * write goes out as one message of its own. The library's 16 KiB cut every
 * write into pieces, and any size that is not a whole write makes each
 * message copy the end of one write together with the start of the next.
 * Browsers take far larger messages (Chromium and Firefox announce 256 KiB or
 * more in their SDP), and the receiving side reads any size up to its
 * length-prefix limit, so peers on the library's default read these too.
 */
export const DATA_CHANNEL_MESSAGE_BYTES = 64 * 1024 + WEBRTC_FRAMING_BYTES
