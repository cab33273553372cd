/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Peerlink's service worker: the app starts from the cache, with or without
 * network, and every path (deep links such as /p/<peerId> too) gets the
 * cached app shell, which is what the relay serves for them online. Live
 * endpoints are never cached: they describe the relay as it is now.
 */
import { build, files, version } from '$service-worker'
import { CACHE_PREFIX, LIVE_PATHS, SHELL_PATH, SKIP_WAITING, OPEN_URL, RUNS_NODE, isAppPath, type OpenUrlMessage } from './lib/shared/pwa.ts'

const sw = self as unknown as ServiceWorkerGlobalScope

/** One cache per build, so an update never mixes files of two versions. */
const CACHE = `${CACHE_PREFIX}${version}`

/** Hashed build output, static files and the shell: everything the app needs to start. */
const PRECACHE = [...new Set([...build, ...files, SHELL_PATH])]
const PRECACHED = new Set(PRECACHE)

/**
 * Chromium's static routing API (not in TypeScript's lib yet): rules the
 * browser applies itself, without starting this worker or running its fetch
 * handler for each request.
 */
interface RouterCondition { urlPattern?: string, requestMode?: RequestMode, runningStatus?: 'running' | 'not-running' }
interface RouterRule { condition: RouterCondition, source: { cacheName: string } | 'network' | 'race-network-and-fetch-handler' }
type RoutingInstallEvent = ExtendableEvent & { addRoutes?: (rules: RouterRule[]) => Promise<void> }

/** Hashed build files never change under their name: the browser serves them from this version's cache. */
const IMMUTABLE_PATTERN = '/_app/immutable/*'

sw.addEventListener('install', event => {
  // no skipWaiting here: an open page keeps the version it started with until
  // the user chooses "Reload" (the page then sends SKIP_WAITING)
  event.waitUntil(caches.open(CACHE).then(async cache => {
    // fresh copies, never what the HTTP cache kept of an older build
    await cache.addAll(PRECACHE.map(path => new Request(path, { cache: 'reload' })))
  }))
  // A new tab asks for a dozen scripts before the app runs; through the fetch
  // handler each waits for this worker's thread. A file missing from the
  // cache goes to the network, as in fromCache.
  const routing = event as RoutingInstallEvent
  routing.addRoutes?.([{ condition: { urlPattern: IMMUTABLE_PATTERN }, source: { cacheName: CACHE } }]).catch(() => {
    // rules the browser refuses: the fetch handler serves these files as before
  })
  // A link opened from another app usually finds this worker stopped, and
  // starting it held the page back 30 to 80 ms before its request even went
  // out. Then the relay is asked at once as well, and the first answer wins;
  // offline, the request fails at once and the cached shell is served.
  routing.addRoutes?.([{ condition: { requestMode: 'navigate', runningStatus: 'not-running' }, source: 'race-network-and-fetch-handler' }]).catch(() => {
    // a browser without these conditions: navigations wait for the worker, as before
  })
  // The fetch handler lets live endpoints through untouched, yet each request
  // still waited for this worker to start and dispatch it: /relay.json, which
  // the node's start needs, took a median of 23 ms in a new tab, 13 without.
  routing.addRoutes?.([...LIVE_PATHS].map(path => ({ condition: { urlPattern: path }, source: 'network' as const }))).catch(() => {
    // rules the browser refuses: the fetch handler lets them through as before
  })
})

sw.addEventListener('activate', event => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith(CACHE_PREFIX) && key !== CACHE) await caches.delete(key)
    }
    // the first install takes over the page that registered it, so it works offline at once
    await sw.clients.claim()
  })())
})

sw.addEventListener('message', event => {
  if ((event.data as { type?: string } | null)?.type === SKIP_WAITING) void sw.skipWaiting()
})

sw.addEventListener('fetch', event => {
  const { request } = event
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  // other origins (relays elsewhere) and live endpoints go to the network untouched
  if (url.origin !== sw.location.origin || LIVE_PATHS.has(url.pathname)) return
  if (request.mode === 'navigate') {
    event.respondWith(fromCache(SHELL_PATH, request))
    return
  }
  if (PRECACHED.has(url.pathname)) event.respondWith(fromCache(url.pathname, request))
})

/** The cached copy, or the network when the cache lost it (storage pressure can evict it). */
async function fromCache (path: string, request: Request): Promise<Response> {
  const cache = await caches.open(CACHE)
  const cached = await cache.match(path)
  return cached ?? await fetch(request)
}

sw.addEventListener('notificationclick', event => {
  event.notification.close()
  const data = event.notification.data as { url?: unknown } | null
  const url = typeof data?.url === 'string' ? new URL(data.url, sw.location.origin) : null
  // only our own pages: a notification never opens another site
  if (url == null || url.origin !== sw.location.origin) return
  event.waitUntil(openUrl(url.pathname + url.search))
})

/**
 * How long a notification click waits for the windows to say which runs the
 * node: they answer at once when they can, and a focus() must come soon
 * after the click (browsers allow it for a short while only).
 */
const RUNS_NODE_WAIT_MS = 500

/**
 * Shows the conversation in the open Peerlink window that runs the node (one
 * waiting for another tab cannot open it), else the one in front, else opens
 * one. Only windows on an app page count: a tab on /metrics would take the
 * message and do nothing with it.
 */
async function openUrl (path: string): Promise<void> {
  const windows = (await sw.clients.matchAll({ type: 'window', includeUncontrolled: true }))
    .filter(c => isAppPath(new URL(c.url).pathname))
  const client = await runningNode(windows) ?? windows.find(c => c.focused) ?? windows[0]
  if (client == null) {
    await sw.clients.openWindow(path)
    return
  }
  const message: OpenUrlMessage = { type: OPEN_URL, url: path }
  client.postMessage(message)
  await client.focus()
}

/** The window that says it runs the node, or undefined when none says so in time. */
async function runningNode (windows: readonly WindowClient[]): Promise<WindowClient | undefined> {
  if (windows.length === 0) return undefined
  const asked = windows.map(async client => await new Promise<WindowClient>((resolve, reject) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = event => { if (event.data === true) resolve(client); else reject(new Error('waiting')) }
    client.postMessage({ type: RUNS_NODE }, [channel.port2])
  }))
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<undefined>(resolve => { timer = setTimeout(resolve, RUNS_NODE_WAIT_MS) })
  try {
    // a window that does not answer (its app not started yet) leaves it to the wait
    return await Promise.race([Promise.any(asked).catch(() => undefined), late])
  } finally {
    clearTimeout(timer)
  }
}
