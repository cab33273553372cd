/**
 * The relay's public HTTP front (http.ts, static-files.ts, upgrade-proxy.ts):
 * its timeouts, caching and headers, and where WebSocket upgrades are taken.
 * The per-client limits, which the command line can change, stay with the
 * other defaults in constants.ts.
 */

const SECOND = 1000
const MINUTE = 60 * SECOND

/**
 * The request target of every WebSocket upgrade to a /ws or /tls/ws address:
 * libp2p's WebSocket transport turns such a multiaddr into ws(s)://host:port
 * with no path (@multiformats/multiaddr-to-uri), so clients send `GET /`; the
 * browser's address built from the page's origin is dialed the same way.
 * Upgrades anywhere else are not ours to take.
 */
export const WEBSOCKET_PATH = '/'

/** TCP keep-alive on upgraded sockets, so a client that vanished without a FIN is noticed. */
export const PROXY_KEEPALIVE_MS = MINUTE

/** A client must finish sending request headers within this, or the socket is closed. */
export const HTTP_HEADERS_TIMEOUT_MS = 20 * SECOND

/** A whole plain HTTP request (we only serve small static files) must complete within this. */
export const HTTP_REQUEST_TIMEOUT_MS = 60 * SECOND

/**
 * A TLS client must finish its handshake within this (two round trips, even
 * on a congested phone link). Node's default is 120 s, and the HTTP timeouts
 * above only start once the handshake is done: with --tls-cert, a client that
 * opened a socket and sent nothing held it six times as long as over plain HTTP.
 */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10 * SECOND

/**
 * How long a browser that reached a relay serving TLS itself goes there over
 * https only (HSTS), even for a link typed or pasted without "https://": a
 * network that intercepts that first plain request could hand it a page of its
 * own. A year, the common choice; not for subdomains, which are not the
 * relay's. Behind a reverse proxy, the proxy sends this header (README).
 */
export const HSTS_MAX_AGE_S = 365 * 24 * 60 * 60

/**
 * An HTTP socket on which nothing moves for this long is closed, also while
 * we send it a file. Without it a client that asks for a big script and never
 * reads held the socket and the open file for good (the request and headers
 * timeouts end once the request is in): enough of them and the relay runs out
 * of file descriptors for everyone. A stalled phone network resumes, or the
 * browser retries, well within this. (Node lets a socket with a write still
 * pending run up to twice this before it counts as idle.)
 */
export const HTTP_IDLE_TIMEOUT_MS = 30 * SECOND

/** Idle keep-alive HTTP sockets are closed after this; page loads come in bursts. */
export const HTTP_KEEPALIVE_TIMEOUT_MS = 5 * SECOND

/** Hashed SvelteKit assets never change under the same name. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable'

/** Everything else is revalidated so a new build reaches users on their next load. */
export const DEFAULT_CACHE_CONTROL = 'no-cache'

/**
 * The page itself carries a fuller CSP meta tag with script hashes from
 * SvelteKit; these directives only work as a header (frame-ancestors) or
 * tighten what the meta tag already says.
 */
export const CONTENT_SECURITY_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'"
