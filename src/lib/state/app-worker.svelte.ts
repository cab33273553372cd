import { dev } from '$app/environment'
import { goto, preloadCode } from '$app/navigation'
import { OPEN_URL, RUNS_NODE, SKIP_WAITING, type OpenUrlMessage } from '../shared/pwa.ts'
import { session } from './session.svelte.ts'

/**
 * A long-open tab (a chat app stays open for days) would never see a new
 * version, since the browser only checks on navigations; an hourly check is
 * cheap: one conditional request for a small file.
 */
export const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000

/** One path of each page of the app (src/routes), a conversation's included. */
const PAGES = ['/', '/backup', '/diagnostics', '/p/peer']

/** Idle or not, the pages' code is asked for after this long. */
const PRELOAD_TIMEOUT_MS = 5_000

/** The build's hashed files: the worker caches every one of its own build. */
const BUILD_PREFIX = '/_app/immutable/'

/** Where a file came from, as Chromium's static routing reports it (not in TypeScript's lib yet). */
type RoutedTiming = PerformanceResourceTiming & { workerFinalSourceType?: string }

/**
 * Whether some of this page's build files came from the relay although a
 * worker controls the page: a link opened while the worker was stopped got
 * the relay's page (the navigation race in src/service-worker.ts), of a build
 * deployed after the worker's, whose files its cache does not hold. The
 * other pages' code would then come from the relay too, on first use, and
 * with the relay or the network gone by then they would fail to open
 * (SvelteKit's 500) until the new worker takes over.
 */
function codeFromNetwork (): boolean {
  return performance.getEntriesByType('resource').some(entry =>
    new URL(entry.name).pathname.startsWith(BUILD_PREFIX) && (entry as RoutedTiming).workerFinalSourceType === 'network')
}

/**
 * The service worker as the page sees it: registers it, offers "A new version
 * is ready" when one is waiting, and opens what a clicked notification points at.
 */
class AppWorker {
  #registration = $state<ServiceWorkerRegistration | null>(null)
  #updateReady = $state(false)
  #reloading = false
  /** this page's code is older than the worker that controls it (see #leftBehind) */
  #outdated = false
  /** how many holds keep this page from reloading out of sight (holdReload) */
  #holds = 0
  #listening = false
  #started = false
  #preloading = false

  get registration (): ServiceWorkerRegistration | null { return this.#registration }
  /** a new version is installed and waits for the user to reload */
  get updateReady (): boolean { return this.#updateReady }

  /**
   * Hears the worker that controls this page, once; call it as the app
   * mounts. Not left to start(), which comes seconds later: the worker of an
   * earlier visit controls the page from its first request, and in those
   * seconds a notification clicked (its conversation to open) or a new
   * version taken in another tab (this page's code then outdated) would be
   * told to nobody, and never again.
   */
  listen (): void {
    if (this.#listening) return
    this.#listening = true
    if (!('serviceWorker' in navigator)) return
    const container = navigator.serviceWorker
    container.addEventListener('message', this.#onMessage)
    // the first install also takes control (clients.claim): that is no update
    let controlled = container.controller != null
    container.addEventListener('controllerchange', () => {
      if (this.#reloading) location.reload()
      else if (controlled) this.#leftBehind()
      controlled = true
    })
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.checkForUpdate()
      else this.#reloadIfOutdated()
    })
  }

  /**
   * Registers the worker, once; call it when the app's own start is over,
   * first dials included: the first install fetches the whole app again.
   */
  async start (): Promise<void> {
    if (this.#started) return
    this.#started = true
    this.listen()
    if (!('serviceWorker' in navigator)) return
    const container = navigator.serviceWorker
    // the dev server serves the worker as an ES module; the build is one classic script
    const registration = await container.register('/service-worker.js', { type: dev ? 'module' : 'classic', updateViaCache: 'none' })
    this.#registration = registration
    if (registration.waiting != null && container.controller != null) this.#updateReady = true
    registration.addEventListener('updatefound', () => {
      const installing = registration.installing
      installing?.addEventListener('statechange', () => {
        // with no controller this is the first install, not an update
        if (installing.state === 'installed' && container.controller != null) this.#updateReady = true
      })
    })
    setInterval(() => { void this.checkForUpdate() }, UPDATE_CHECK_INTERVAL_MS)
  }

  /**
   * Another tab chose "Reload": the new version took over this page too, and
   * deleted the cache this page's code came from, so a page of the app it has
   * not loaded yet would fail to open offline. Out of sight it reloads at once
   * (drafts and the outbox survive a reload); in sight it offers the reload
   * and takes it once the user looks away, rather than reload under their eyes.
   * Either way it no longer waits for the node: it goes to the new version.
   */
  #leftBehind (): void {
    this.#outdated = true
    this.#updateReady = true
    session.leaveLine()
    if (document.visibilityState === 'hidden') this.#reloadIfOutdated()
  }

  /** Out of sight: an outdated page reloads, unless something on it holds that off (holdReload). */
  #reloadIfOutdated (): void {
    if (this.#outdated && this.#holds === 0) location.reload()
  }

  /**
   * Keeps an outdated page from reloading out of sight until released: on a
   * phone the file picker hides the page, and so does the password manager a
   * passphrase is fetched from, and a reload then would drop the backup being
   * chosen or imported. Released, the page reloads the next time it is hidden.
   */
  holdReload (): () => void {
    this.#holds++
    let released = false
    return () => {
      if (released) return
      released = true
      this.#holds--
    }
  }

  /**
   * The code of every page: until the worker's first install has cached the
   * app, a page's code otherwise comes from the relay only when the page is
   * opened, and with the relay or the network gone by then the page fails to
   * load (SvelteKit's 500). Asked for as the app mounts, without waiting for
   * the worker (these few small files are what a relay that goes away early
   * would take with it), and loaded when the page is first idle: in a new
   * user's page that is while the libp2p code and the store are on their way.
   * Asked for once the session had started, it loaded in the first dial's
   * idle moments instead, and that dial took 517 ms against 453 in the
   * benchmark. A page the worker controls gets it from the worker's cache,
   * unless the page is of a build that cache does not hold (see codeFromNetwork).
   */
  preloadPages (): void {
    if (this.#preloading) return
    this.#preloading = true
    const preload = (): void => {
      if (navigator.serviceWorker?.controller != null && !codeFromNetwork()) return
      for (const path of PAGES) preloadCode(path).catch(() => {})
    }
    if (typeof requestIdleCallback === 'function') requestIdleCallback(preload, { timeout: PRELOAD_TIMEOUT_MS })
    else setTimeout(preload, 0)
  }

  async checkForUpdate (): Promise<void> {
    // offline the check fails; the next one will do
    await this.#registration?.update().catch(() => {})
  }

  /** Activates the waiting version; the page reloads when it has taken over. */
  reload (): void {
    const waiting = this.#registration?.waiting
    this.#reloading = true
    if (waiting == null) {
      location.reload()
      return
    }
    waiting.postMessage({ type: SKIP_WAITING })
  }

  readonly #onMessage = (event: MessageEvent): void => {
    const data = event.data as Partial<OpenUrlMessage> | { type: typeof RUNS_NODE } | null
    // a notification was clicked: the worker looks for the tab that can open a conversation
    if (data?.type === RUNS_NODE) {
      event.ports[0]?.postMessage(session.phase === 'ready')
      return
    }
    if (data?.type === OPEN_URL && typeof data.url === 'string' && data.url.startsWith('/') && !data.url.startsWith('//')) {
      void goto(data.url)
    }
  }
}

export const appWorker = new AppWorker()
