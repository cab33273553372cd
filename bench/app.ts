/** Driving the real app the way a user does: pages, links, the composer. */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { installObserver } from './observer.ts'
import type { MarkName } from '../src/lib/shared/marks.ts'

/** A step that has not happened by now is not going to: the run goes on without it. */
export const STEP_TIMEOUT_MS = 30_000

export interface Owner {
  context: BrowserContext
  page: Page
  link: string
  peerId: string
}

/**
 * A fresh profile (no identity, no cache) with the observer installed in
 * every page it opens; with `autoSend`, each page sends that message as
 * soon as its composer can (see installObserver).
 */
export async function freshContext (browser: Browser, baseURL: string, autoSend?: string): Promise<BrowserContext> {
  return await observing(await browser.newContext({ baseURL }), autoSend)
}

/**
 * The page's service worker is installed and controls it. A first visit's
 * install fetches the whole app again once the start's first dial is over
 * (the app waits for that), so what is measured next waits for it in turn.
 */
export async function workerInstalled (page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller != null, undefined, { timeout: STEP_TIMEOUT_MS })
}

/**
 * Stops the service workers of `page`'s browser, as the browser does with one
 * left idle for half a minute, and waits until they have stopped: a link that
 * comes from another app after a while finds the worker stopped.
 */
export async function workersStopped (page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page)
  try {
    const running = new Set<string>()
    const settled = new Promise<void>(resolve => {
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
        for (const v of versions) v.runningStatus === 'stopped' ? running.delete(v.versionId) : running.add(v.versionId)
        if (running.size === 0) resolve()
      })
    })
    await cdp.send('ServiceWorker.enable')
    await cdp.send('ServiceWorker.stopAllWorkers')
    await Promise.race([settled, new Promise((_resolve, reject) => setTimeout(() => { reject(new Error('service workers did not stop')) }, STEP_TIMEOUT_MS))])
  } finally {
    await cdp.detach()
  }
}

/** Installs the observer in every page `context` opens from now on. */
export async function observing (context: BrowserContext, autoSend?: string): Promise<BrowserContext> {
  // tsx compiles with keepNames, which wraps named inner functions in a
  // `__name(fn, 'name')` helper that exists in Node, not in the page
  await context.addInitScript({ content: 'globalThis.__name ??= (fn) => fn' })
  await context.addInitScript(installObserver, autoSend)
  return context
}

/** Opens the app on the home page and waits for the relay reservation and its service worker. */
export async function openOwner (browser: Browser, baseURL: string): Promise<Owner> {
  return await openOwnerIn(await freshContext(browser, baseURL))
}

/** The same, in a context already made (and observed), such as a profile on disk. */
export async function openOwnerIn (context: BrowserContext): Promise<Owner> {
  const page = await context.newPage()
  await page.goto('/')
  await page.waitForSelector('[data-relay="reserved"]', { timeout: STEP_TIMEOUT_MS })
  await workerInstalled(page)
  const link = await page.inputValue('#your-link')
  return { context, page, link, peerId: link.split('/p/')[1] ?? '' }
}

/** How often a page looks for what the driver waits on: often enough not to add to a figure, rarely enough to cost the page nothing. */
export const OBSERVE_POLL_MS = 20

/**
 * Waits until `pick` of the observed state is set, polling in the page;
 * returns it. A plain evaluate rather than page.waitForFunction: that one
 * first injects Playwright's selector engine into the page, a script that
 * held a page's main thread 45 to 80 ms while it was starting (measured with
 * a task-gap probe and in a trace), a cost no user pays.
 */
export async function waitObserved (page: Page, pick: 'composer' | 'sent' | 'reserved' | 'direct' | 'delivered', timeout = STEP_TIMEOUT_MS): Promise<number> {
  return await page.evaluate(async ({ key, timeout, poll }) => {
    const until = performance.now() + timeout
    let at = window.__benchObserved?.[key]
    while (at == null) {
      if (performance.now() > until) throw new Error(`"${key}" not seen within ${timeout} ms`)
      await new Promise(resolve => setTimeout(resolve, poll))
      at = window.__benchObserved?.[key]
    }
    return at
  }, { key: pick, timeout, poll: OBSERVE_POLL_MS })
}

/** Waits until the conversation's composer is there (the session is ready and the thread open). */
export async function waitComposer (page: Page): Promise<void> {
  await page.waitForSelector('#composer-text', { timeout: STEP_TIMEOUT_MS })
}

/**
 * Sends through the composer exactly as a user does: the text goes in (an
 * input event), then Enter (a keydown the composer handles), from inside the
 * page; returns the page time of the send. Several texts go out back to
 * back, as fast as a script can type.
 */
export async function sendTexts (page: Page, texts: string[]): Promise<number> {
  return await page.evaluate(list => {
    const field = document.querySelector<HTMLTextAreaElement>('#composer-text')
    if (field == null) throw new Error('no composer')
    const at = performance.now()
    for (const text of list) {
      field.value = text
      field.dispatchEvent(new Event('input', { bubbles: true }))
      field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
    }
    return at
  }, texts)
}

/**
 * A single message the way a person sends one: the text is typed first (the
 * input event, which also tells the peer "typing"), and the time counts from
 * Enter. Returns the page time of the Enter, once the message shows
 * delivered (the observer's `mark`): until then the driver hears nothing from
 * this page, and has nothing to answer while the message is on its way.
 * `ready` runs between typing and Enter.
 */
export async function typeThenSend (page: Page, text: string, ready: () => Promise<void>): Promise<number> {
  await page.evaluate(t => {
    const field = document.querySelector<HTMLTextAreaElement>('#composer-text')
    if (field == null) throw new Error('no composer')
    field.value = t
    field.dispatchEvent(new Event('input', { bubbles: true }))
  }, text)
  await ready()
  return await withTimeout(page.evaluate(async () => {
    const field = document.querySelector<HTMLTextAreaElement>('#composer-text')
    if (field == null) throw new Error('no composer')
    const at = performance.now()
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
    const until = window.__benchUntil
    if (until == null) throw new Error('observer not installed')
    await until('delivered', () => window.__benchObserved?.markDelivered)
    return at
  }), STEP_TIMEOUT_MS, 'a single message shown delivered')
}

/** The app's performance marks, first occurrence of each, in page time. */
export async function marks (page: Page): Promise<Partial<Record<MarkName | 'page:dom-content-loaded', number>>> {
  return await page.evaluate(() => {
    const out: Record<string, number> = {}
    for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('peerlink:')) out[m.name] ??= m.startTime
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined
    if (nav != null) out['page:dom-content-loaded'] = nav.domContentLoadedEventEnd
    return out
  })
}

export async function withTimeout<T> (work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const limit = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what} took over ${ms} ms`)) }, ms) })
  try {
    return await Promise.race([work, limit])
  } finally {
    clearTimeout(timer)
  }
}
