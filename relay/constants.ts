/**
 * Every default and limit of the relay, each with the reason for its value.
 */

/**
 * Peerlink's private Kademlia DHT: our own protocol prefix keeps relays out of
 * the public IPFS DHT and its peers out of ours. The browser uses the same string.
 */
export const DHT_PROTOCOL = '/peerlink/kad/1.0.0'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const MIB = 1024 * 1024

/**
 * Node hands out small Buffers as slices of shared 8 KiB slabs, and one slice
 * that lives on keeps its whole slab: the relay keeps a few tiny buffers per
 * client for as long as it is connected (its peer ID digest, its address
 * bytes, Noise keys), allocated between a client's short-lived ones, so at
 * 1,000 reservations 6 MiB of slabs were held for a few hundred KB of data.
 * Without the pool each buffer is its own allocation of its own size.
 */
export const BUFFER_POOL_BYTES = 0

/**
 * How far V8 lets the old generation grow past what its last full collection
 * kept before it collects again, in percent. Left to itself V8 picks a factor
 * of up to 4 for a heap that collects quickly, which suits a page but not a
 * relay whose live set is a few tens of KB per held connection: every ping
 * leaves a few KB of garbage, and at 1,000 reservations the relay's RSS sat at
 * about 200 KB each while a forced collection brought it down to about 60.
 * At 20 % it sat at about 75 KB each (measured 2026-12-06, docs/performance.md),
 * for more frequent, shorter full collections of a heap that small.
 */
export const HEAP_GROWING_PERCENT = 20

/** Loopback by default: a relay is only reachable from elsewhere when its operator says so. */
export const DEFAULT_HOST = '127.0.0.1'

/** The port the README and the e2e tests expect a local relay on. */
export const DEFAULT_PORT = 9090

/**
 * One reservation per browser that wants to be reachable: the library's 15 would
 * lock out the sixteenth user; a thousand idle reservations cost little memory.
 */
export const DEFAULT_MAX_RESERVATIONS = 1024

/** Browsers renew well before this; an hour bounds how long a vanished browser holds a slot. */
export const DEFAULT_RESERVATION_TTL_MS = HOUR

/**
 * How often the relay pings each connection (libp2p's connection monitor),
 * and closes one that does not answer: that frees the reservation of a
 * browser that vanished without closing (a phone that lost its network)
 * within about this long plus the ping's timeout. Browsers ping their relay
 * every 10 s themselves, so the relay's own pings only find the vanished
 * ones; libp2p's default (10 s) cost a relay holding 2,000 reservations a
 * burst of 2,000 ping streams every 10 s (about a third of its idle CPU).
 */
export const DEFAULT_PING_INTERVAL_MS = 30 * SECOND
/**
 * libp2p's ping waits at least 5 s for its answer, and a ping that starts
 * while the last one still waits fails at once, which aborts the connection
 * (seen with a 1 s interval: every client dropped). Shorter intervals than
 * this would drop live browsers on a slow link.
 */
export const MIN_PING_INTERVAL_SECONDS = 10

/**
 * A relayed connection is the last-resort chat carrier when no direct path
 * exists, so it must outlast a conversation, not just a WebRTC handshake (2 min).
 */
export const DEFAULT_RELAY_DURATION_LIMIT_MS = 30 * MINUTE

/** Enough for a long text chat with profiles; small enough that nobody streams video through us. */
export const DEFAULT_RELAY_DATA_LIMIT_BYTES = 16 * MIB

/** Node's timers overflow above 2^31-1 ms and fire at once, so no duration may exceed this. */
export const MAX_DURATION_SECONDS = Math.floor((2 ** 31 - 1) / SECOND)

/** A sanity cap for --max-reservations: beyond this a single process runs out of sockets first. */
export const MAX_RESERVATIONS_CAP = 1_000_000

/**
 * Every browser with a reservation holds one connection, plus DHT peers and
 * browsers that only dial through us: twice the reservations leaves room for both.
 */
export const CONNECTIONS_PER_RESERVATION = 2

/**
 * yamux's keep-alive pings every connection every 30 s but never acts on a
 * missing answer; libp2p's connection monitor already pings every connection
 * (DEFAULT_PING_INTERVAL_MS) and closes the ones that do not answer. Off, it saves a timer,
 * an abort controller and a ping per connection for nothing lost.
 */
export const YAMUX_KEEP_ALIVE = false

/** Floor for the connection limit, so a relay configured with few reservations still serves dialers. */
export const MIN_MAX_CONNECTIONS = 256

/**
 * libp2p's per-host rate limit for new connections (its default is 5/s). A
 * host is the client's address, or the reverse proxy's when there is one in
 * front, where all users would share it; offices behind one NAT reload many
 * pages at once too. 200/s leaves room for both and still stops a flood.
 */
export const INBOUND_CONNECTIONS_PER_SECOND = 200

/**
 * Connections still doing Noise/yamux at once, from everyone: past it, libp2p
 * refuses every new one. A burst of page loads must not be refused, nor take
 * the cores from the connections held (each pending one is a handshake under
 * way; 1,024 was tried, and not measured apart from a bench fault found then);
 * what one address may hold of it is DEFAULT_MAX_UPGRADING_PER_IP.
 */
export const MAX_INCOMING_PENDING_CONNECTIONS = 256

/** How long a new connection may take over Noise and yamux before libp2p drops it (its default, set here so the proxy counts the same). */
export const INBOUND_UPGRADE_TIMEOUT_MS = 10 * SECOND

/**
 * WebSocket upgrades one client address (an IPv6 client: its /64) may begin
 * within INBOUND_UPGRADE_TIMEOUT_MS, closed since or not. A few addresses
 * opening sockets that never speak held all of libp2p's pending slots (each
 * for the whole upgrade timeout), and nobody else got in; now that takes
 * MAX_INCOMING_PENDING_CONNECTIONS / 32 = 8 of them, and each may
 * open no more than that in the upgrade time. Behind a reverse proxy
 * (--trust-proxy), libp2p's limit of new connections a second
 * (INBOUND_CONNECTIONS_PER_SECOND) sees the proxy's address for everyone, and
 * one client opening and closing sockets fast took it all; this counts each
 * client. A page opens one or two; an office behind one address, reloading at
 * once, a few more (--max-upgrading-per-ip).
 */
export const DEFAULT_MAX_UPGRADING_PER_IP = 32

/** After a stop signal, give libp2p and open sockets this long before exiting anyway. */
export const SHUTDOWN_TIMEOUT_MS = 10 * SECOND

/**
 * How long a stopping relay waits for its peers to answer libp2p's goodbye
 * before it drops their sockets. A peer that answers at all does so within a
 * round trip; one that has gone silent (a phone that lost its network) never
 * does, and the WebSocket library would wait 30 s for its closing frame, past
 * SHUTDOWN_TIMEOUT_MS.
 */
export const STOP_GRACE_MS = 1 * SECOND

/** Name of the relay's private key file inside the data directory. */
export const KEY_FILE_NAME = 'relay.key'

/**
 * Lifetime of the TURN credentials in one /relay.json answer. The page fetches
 * it once when it loads and uses it for every WebRTC connection after that,
 * so it must cover a long chat session; a leaked credential is dead by the
 * next day, and nothing that outlives it ever reaches a browser.
 */
export const TURN_CREDENTIAL_TTL_MS = 12 * HOUR

/** Random bytes in each TURN username, so credentials handed to different browsers differ. */
export const TURN_USER_TAG_BYTES = 8

/** A TURN secret shorter than this is guessable from one captured credential. */
export const MIN_TURN_SECRET_LENGTH = 16

/**
 * Other relays listed in /relay.json: a browser reads the list once per page
 * load and only needs the few that share our DHT; the MAX_RELAY_ADDRS cap of
 * the browser's parser (32) bounds it too.
 */
export const MAX_LISTED_RELAYS = 32

/**
 * A relay learned from the DHT that has not been connected for this long is
 * no longer listed: a restart or an upgrade takes far less, and a browser
 * failing over tries the listed relays in turn, each one gone for good
 * costing it a dial timeout first.
 */
export const LISTED_RELAY_GONE_MS = 10 * 60_000

/** A relay usually announces one or two addresses; more would crowd the others out of the list. */
export const MAX_ADDRS_PER_LISTED_RELAY = 4

/** Where kad-dht keeps what peers PUT (location records) and announce (providers) in the datastore. */
export const DHT_RECORD_PREFIX = '/dht/record/'
export const DHT_PROVIDER_PREFIX = '/dht/provider/'

/**
 * Location records a relay keeps at most. With a handful of relays each one
 * holds every record, one per browser seen in the last hour: 50,000 is far
 * more than a community relay serves, and at the largest record we accept
 * (4 KiB; a real one is about 300 bytes) bounds the store at 200 MiB.
 */
export const MAX_DHT_RECORDS = 50_000

/** Peerlink never uses providers and refuses ADD_PROVIDER (dht-requests.ts); a bound all the same, should a version of kad-dht store them some other way. */
export const MAX_DHT_PROVIDERS = 1_000

/** Where libp2p's peer store keeps a record per peer in the datastore. */
export const PEER_RECORD_PREFIX = '/peers/'

/**
 * Peers the relay's peer store remembers at most, beyond the connected ones.
 * libp2p keeps a record (about 250 bytes: addresses, protocols) of every peer
 * that ever connected and drops an old one only when it is read again, which
 * a throwaway peer never is: each new browser, and each fresh key a client
 * connects with, stayed for the life of the process. Past this (about 5 MB),
 * the oldest go first, never ours or a connected peer's; a relay configured
 * for more connections keeps twice its connection limit (PEER_RECORDS_PER_CONNECTION).
 */
export const MAX_PEER_RECORDS = 20_000

/** Room for every connected peer and as many that left, so eviction mostly finds a departed one first. */
export const PEER_RECORDS_PER_CONNECTION = 2

/**
 * How often a relay dials a bootstrap relay it is not connected to. A relay
 * back from a restart is rejoined within this; one dial per missing relay per
 * round costs nothing.
 */
export const BOOTSTRAP_REDIAL_MS = 10 * SECOND

/**
 * WebSocket connections one client IP may hold through the public port at once.
 * A household or office behind one NAT has a few dozen browsers at most, each
 * with one or two connections (its own relay and a dial through us); 64
 * leaves room for that, and stops one host from taking a relay's sockets.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 64

/**
 * Plain HTTP connections one client IP may hold on the public port at once,
 * until each is upgraded to a WebSocket (then DEFAULT_MAX_CONNECTIONS_PER_IP
 * counts it). A browser opens at most 6 per host and its PWA's service worker
 * shares them; as many as DEFAULT_MAX_CONNECTIONS_PER_IP lets the browsers
 * of an office or a home behind one NAT load the app together, and a keep-alive socket left idle by an earlier load makes room for a new
 * one (http-connection-limit.ts). One host opening hundreds of sockets is not a page load.
 */
export const DEFAULT_MAX_HTTP_CONNECTIONS_PER_IP = DEFAULT_MAX_CONNECTIONS_PER_IP

/**
 * libp2p connections one peer ID may hold at once. A browser needs one; a
 * reload or a flaky network leaves a stale one beside the new for a few
 * seconds, and another relay may dial us while we dial it. 8 covers all of
 * that; past it, a peer is only making the relay keep muxers and buffers.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_PEER = 8

/** A sanity cap for both per-client limits: above this they limit nothing a single process can hold. */
export const MAX_CONNECTION_LIMIT_CAP = 100_000

/**
 * Largest circuit relay hop message we read. Real ones (RESERVE, CONNECT with
 * a peer ID and a few addresses) are a few hundred bytes; the library reads
 * up to 4 MiB per stream, times 32 streams per connection, before it refuses.
 */
export const MAX_HOP_MESSAGE_BYTES = 4 * 1024

/**
 * Largest DHT request we read. The biggest real one is a PUT of a location
 * record (at most 4 KiB, see MAX_DHT_RECORDS) with its key; the library would
 * otherwise buffer up to 4 MiB on each of 32 streams per connection.
 */
export const MAX_DHT_MESSAGE_BYTES = 16 * 1024

/**
 * Largest WebSocket message the relay takes. `ws` buffers a whole message
 * before libp2p sees a byte of it, and its default of 100 MiB let one socket
 * that declared a huge frame hold 100 MiB for half a minute, 6 GiB from one
 * address's 64 sockets. A browser's messages are a write buffer of Noise
 * frames (64 KiB at most each), cut at 256 KiB (the @libp2p/websockets patch).
 */
export const MAX_WS_MESSAGE_BYTES = 1 * MIB

/** A limit hit by the same client is logged at most once per this, so a flood cannot flood the log too. */
export const LIMIT_LOG_INTERVAL_MS = MINUTE

/** libp2p's ping protocol, which browsers use to check their relay connection. */
export const PING_PROTOCOL = '/ipfs/ping/1.0.0'

/**
 * A ping stream echoes 32 bytes per ping and closes; one still open after
 * this (as long as @libp2p/ping allows) belongs to a peer that went quiet.
 */
export const PING_STREAM_TIMEOUT_MS = 10 * SECOND

/**
 * What one ping stream may send to be echoed: @libp2p/ping sends one 32-byte
 * ping per stream (a few, if a pinger reuses it). A peer that sends at full
 * speed and never reads would otherwise have the echo pile up in the relay's
 * write buffer, which yamux does not bound, for PING_STREAM_TIMEOUT_MS.
 */
export const PING_STREAM_MAX_BYTES = 32 * 64
