import { dev } from '$app/environment'
import { goto } from '$app/navigation'
import { OPEN_URL, SKIP_WAITING, type OpenUrlMessage } from '../shared/pwa.ts'

/**
 * A long-open tab (a chat app stays open for days) would never see a new
 * version, since the browser only checks on navigations; an hourly check is
 * cheap: one conditional request for a small file.
 */
export const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000

/**
 * The service worker as the page sees it: registers it, offers "A new version
 * is ready" when one is waiting, and opens what a clicked notification points at.
 */
class AppWorker {
  #registration = $state<ServiceWorkerRegistration | null>(null)
  #updateReady = $state(false)
  #reloading = false
  #started = false

  get registration (): ServiceWorkerRegistration | null { return this.#registration }
  /** a new version is installed and waits for the user to reload */
  get updateReady (): boolean { return this.#updateReady }

  async start (): Promise<void> {
    if (this.#started || !('serviceWorker' in navigator)) return
    this.#started = true
    const container = navigator.serviceWorker
    container.addEventListener('message', this.#onMessage)
    container.addEventListener('controllerchange', () => {
      // the first install also takes control (clients.claim): reload only when asked to
      if (this.#reloading) location.reload()
    })
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
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.checkForUpdate()
    })
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
    const data = event.data as Partial<OpenUrlMessage> | null
    if (data?.type === OPEN_URL && typeof data.url === 'string' && data.url.startsWith('/') && !data.url.startsWith('//')) {
      void goto(data.url)
    }
  }
}

export const appWorker = new AppWorker()
