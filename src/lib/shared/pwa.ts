/**
 * What the service worker and the page agree on. No imports: the service
 * worker bundle must not pull in the app.
 */

/** Every cache of ours starts with this; on activate, ours of older versions are deleted, nobody else's. */
export const CACHE_PREFIX = 'peerlink-'

/** The SPA shell: the relay answers every app path with it, so offline the cache does the same. */
export const SHELL_PATH = '/index.html'

/**
 * Endpoints that describe the relay as it is right now: a cached copy would
 * make an offline app believe the relay is up, or pin an old relay address.
 */
export const LIVE_PATHS: ReadonlySet<string> = new Set(['/relay.json', '/healthz', '/metrics'])

/**
 * What makes a path name a file: a dot and letters or digits at its end. A
 * link copied from the end of a sentence (`/p/<peer ID>.`, `/p/<peer ID>).`)
 * is the app's page, which reads the peer ID without the punctuation.
 */
export const FILE_EXTENSION = /\.[A-Za-z0-9]+$/

/**
 * A path whose window runs the app: the relay answers it with the shell (as
 * the worker does offline). A live endpoint or a file (a tab on /metrics or
 * /relay.json) has no app in it to show a conversation.
 */
export function isAppPath (pathname: string): boolean {
  return !LIVE_PATHS.has(pathname) && !FILE_EXTENSION.test(pathname)
}

/** page -> waiting worker: the user chose to reload into the new version */
export const SKIP_WAITING = 'peerlink:skip-waiting'

/** worker -> page: a notification was clicked; show this in-app path */
export const OPEN_URL = 'peerlink:open-url'

/**
 * worker -> page, with a port for the answer (a boolean): does this page run
 * the node? Only that one can show a conversation; the others wait for it.
 */
export const RUNS_NODE = 'peerlink:runs-node'

export interface OpenUrlMessage {
  type: typeof OPEN_URL
  url: string
}
