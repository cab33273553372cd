import { readdir, readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { connection, expect, hide, messageLog, openPeer, sendMessage, test, waitReachable } from './fixtures.ts'
import { pngSize } from './png.ts'
import { MARKS } from '../../src/lib/shared/marks.ts'
import type { Page } from '@playwright/test'
import { documentSource, stopWorker, waitControlled } from './worker.ts'

const BUILT_WORKER = resolve(import.meta.dirname, '../../build/service-worker.js')
const BUILT_NODES = resolve(import.meta.dirname, '../../build/_app/immutable/nodes')

/** The built code of the root layout and of every page: SvelteKit's node 1 is the error page, loaded only on an error. */
async function pageNodes (): Promise<string[]> {
  return (await readdir(BUILT_NODES)).filter(name => name.endsWith('.js') && !name.startsWith('1.'))
}

interface ManifestImage { src: string, sizes: string, type: string, purpose?: string }

test('the manifest is linked from every page, parses, and its icons are images of the stated sizes', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL })
  try {
    const page = await context.newPage()
    for (const path of ['/', '/p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA', '/backup']) {
      await page.goto(path)
      await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest')
      await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveCount(1)
      await expect(page.locator('meta[name="apple-mobile-web-app-capable"]')).toHaveAttribute('content', 'yes')
    }
    const response = await context.request.get(new URL('/manifest.webmanifest', baseURL).href)
    expect(response.ok()).toBe(true)
    expect(response.headers()['content-type']).toContain('application/manifest+json')
    const manifest = await response.json() as Record<string, unknown> & { icons: ManifestImage[], screenshots: ManifestImage[] }
    expect(manifest).toMatchObject({ name: 'Peerlink', short_name: 'Peerlink', start_url: '/', scope: '/', display: 'standalone' })
    for (const field of ['description', 'theme_color', 'background_color']) expect(typeof manifest[field]).toBe('string')

    const sizes = manifest.icons.map(i => `${i.sizes} ${i.purpose ?? 'any'}`)
    expect(sizes).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']))
    expect(manifest.screenshots.length).toBeGreaterThan(0)
    const appleIcon = await page.locator('link[rel="apple-touch-icon"]').getAttribute('href')
    const images = [...manifest.icons, ...manifest.screenshots, { src: appleIcon ?? '', sizes: '180x180', type: 'image/png' }]
    for (const image of images) {
      const res = await context.request.get(new URL(image.src, baseURL).href)
      expect(res.ok(), image.src).toBe(true)
      expect(res.headers()['content-type']).toBe(image.type)
      const { width, height } = pngSize(await res.body())
      expect(`${width}x${height}`, image.src).toBe(image.sizes)
    }
  } finally {
    await context.close()
  }
})

test('offline with the relay down, a reload shows the app, the history and "Offline"; deep links open too', async ({ browser, baseURL, relay }) => {
  const alice = await openPeer(browser, baseURL)
  const bob = await openPeer(browser, baseURL)
  try {
    await waitControlled(bob.page)
    await bob.page.goto(alice.link)
    await expect(connection(bob.page)).toHaveText('Direct')
    await sendMessage(bob.page, 'kept for offline reading')
    await expect(messageLog(bob.page).locator('li.out', { hasText: 'kept for offline reading' })).toHaveAttribute('data-status', /delivered|read/)
    await alice.context.close()

    await relay.stop()
    await bob.context.setOffline(true)
    await bob.page.reload()
    await expect(messageLog(bob.page)).toContainText('kept for offline reading')
    await expect(bob.page.locator('[data-relay]')).toHaveText('Offline')
    await expect(connection(bob.page)).toHaveText('Offline')
    await expect(bob.page.getByRole('alert')).toHaveCount(0)
    // the build's hashed files came from the cache by the worker's static route, not through its fetch handler
    const sources = await bob.page.evaluate(() => performance.getEntriesByType('resource')
      .filter(e => new URL(e.name).pathname.startsWith('/_app/immutable/'))
      .map(e => (e as PerformanceResourceTiming & { workerMatchedSourceType?: string }).workerMatchedSourceType))
    expect(sources.length).toBeGreaterThan(0)
    expect([...new Set(sources)]).toEqual(['cache'])

    // the home page lists the conversation from the store alone
    await bob.page.goto('/')
    await expect(bob.page.getByLabel('Your link', { exact: true })).toHaveValue(bob.link)
    await expect(bob.page.getByRole('link', { name: /kept for offline reading/ })).toBeVisible()

    // a deep link, loaded afresh, comes from the cache as well (in this tab: a
    // second tab of the profile would wait for this one, which holds the node)
    await bob.page.goto(`/p/${alice.peerId}`)
    await expect(messageLog(bob.page)).toContainText('kept for offline reading')
    await expect(connection(bob.page)).toHaveText('Offline')
    await bob.page.goto('/')

    // live endpoints were never cached: offline they fail instead of answering from a cache
    const relayJson = await bob.page.evaluate(async () => await fetch('/relay.json').then(r => r.status, () => 'failed'))
    expect(relayJson).toBe('failed')
    const cached = await bob.page.evaluate(async () => {
      const urls: string[] = []
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname)
      }
      return urls
    })
    expect(cached).toContain('/index.html')
    for (const live of ['/relay.json', '/healthz', '/metrics']) expect(cached).not.toContain(live)

    // back online with the relay up, the node that started offline gets its reservation
    await relay.start()
    await bob.context.setOffline(false)
    await waitReachable(bob.page)
  } finally {
    await bob.context.close()
    await alice.context.close().catch(() => {})
  }
})

test('a link opened while the service worker is stopped asks the relay at once instead of waiting for the worker, and still opens with the relay down', async ({ browser, baseURL, relay }) => {
  const bob = await openPeer(browser, baseURL)
  const friend = '12D3KooWRaPePUeKMs4dWsZe5EwuS6q3zfy41XE46X3zzAcLj13t'
  try {
    await waitControlled(bob.page)
    // the worker running: its fetch handler serves the cached shell, no rule involved
    await bob.page.goto(`/p/${friend}`)
    expect(await documentSource(bob.page)).toEqual({ matched: '', final: '' })

    // stopped, as it usually is when a link comes from another app: the relay is asked at
    // once, beside the worker's start, and whichever answers first serves the page (on
    // loopback mostly the relay, but a worker that starts fast can win)
    await stopWorker(bob.page)
    await bob.page.goto(`/p/${friend}`)
    const raced = await documentSource(bob.page)
    expect(raced.matched).toBe('race-network-and-fetch-handler')
    expect(['network', 'fetch-event']).toContain(raced.final)
    await expect(bob.page.locator('[data-relay]')).toHaveAttribute('data-relay', 'reserved')

    // with the relay gone the network fails, and the worker's cached shell is what opens
    await relay.stop()
    await stopWorker(bob.page)
    await bob.page.goto(`/p/${friend}`)
    expect(await documentSource(bob.page)).toEqual({ matched: 'race-network-and-fetch-handler', final: 'fetch-event' })
    await expect(bob.page.getByRole('heading', { level: 1 })).toBeVisible()
    await expect(bob.page.locator('[data-relay]')).toHaveText('Offline')
  } finally {
    await relay.start()
    await bob.context.close()
  }
})

test('the relay description goes to the network by a static route, never through the worker', async ({ browser, baseURL }) => {
  const bob = await openPeer(browser, baseURL)
  try {
    await waitControlled(bob.page)
    await stopWorker(bob.page)
    await bob.page.goto('/')
    await expect(bob.page.locator('[data-relay]')).toHaveAttribute('data-relay', 'reserved')
    const routed = await bob.page.evaluate(() => {
      const entry = performance.getEntriesByType('resource').find(e => new URL(e.name).pathname === '/relay.json') as (PerformanceResourceTiming & { workerMatchedSourceType?: string, workerFinalSourceType?: string }) | undefined
      return { matched: entry?.workerMatchedSourceType, final: entry?.workerFinalSourceType }
    })
    expect(routed).toEqual({ matched: 'network', final: 'network' })
  } finally {
    await bob.context.close()
  }
})

test('a first visit by link asks for the service worker only once its dial is over, not in the middle of it', async ({ browser, baseURL }) => {
  const alice = await openPeer(browser, baseURL)
  const context = await browser.newContext({ baseURL })
  try {
    // the moment the page asks for its worker, whose first install fetches the whole app again
    await context.addInitScript(() => {
      const container = navigator.serviceWorker
      const register = container.register.bind(container)
      container.register = async (...args: Parameters<ServiceWorkerContainer['register']>) => {
        (window as unknown as { registeredAt: number }).registeredAt = performance.now()
        return await register(...args)
      }
    })
    const page = await context.newPage()
    await page.goto(alice.link)
    await expect(connection(page)).toHaveText('Direct')
    await waitControlled(page)
    const { registeredAt, directAt } = await page.evaluate((name: string) => ({
      registeredAt: (window as unknown as { registeredAt?: number }).registeredAt,
      directAt: performance.getEntriesByName(name)[0]?.startTime
    }), MARKS.dialDirect)
    expect(directAt).toBeDefined()
    expect(registeredAt).toBeGreaterThan(directAt ?? Number.POSITIVE_INFINITY)
  } finally {
    await context.close()
    await alice.context.close()
  }
})

test('before the service worker has cached the app, its other pages still open once the relay that served it is gone', async ({ browser, baseURL, relay }) => {
  // no worker at all: the window a first visit has until its install is done
  const context = await browser.newContext({ baseURL, serviceWorkers: 'block' })
  try {
    const page = await context.newPage()
    const fetched = new Set<string>()
    page.on('requestfinished', request => { fetched.add(new URL(request.url()).pathname.split('/').pop() ?? '') })
    await page.goto('/')
    await waitReachable(page)
    // the app fetches every page's code once the page is idle: the relay may go after that
    const nodes = await pageNodes()
    await expect.poll(() => nodes.filter(name => !fetched.has(name)), { timeout: 15_000 }).toEqual([])
    await relay.stop()
    await page.getByRole('link', { name: 'Diagnostics' }).click()
    await expect(page.getByRole('heading', { name: 'Diagnostics' })).toBeVisible()
    await page.getByRole('link', { name: 'Backup' }).click()
    await expect(page.getByRole('heading', { name: 'Back up your identity' })).toBeVisible()
    await page.getByRole('link', { name: 'Peerlink' }).click()
    await expect(page.getByLabel('Your link', { exact: true })).toHaveValue(/\/p\/12D3Koo/)
  } finally {
    await context.close()
    await relay.start()
  }
})

test('a new version is offered with "Reload", and reloading activates it and drops old caches', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL })
  const original = await readFile(BUILT_WORKER, 'utf8')
  try {
    const page = await context.newPage()
    await page.goto('/')
    await waitControlled(page)
    await expect(page.getByText('A new version is ready')).toHaveCount(0)
    const firstWorker = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)
    // a cache a previous version left behind
    await page.evaluate(async () => { await caches.open('peerlink-old-version') })

    // a changed worker script is a new version to the browser
    await writeFile(BUILT_WORKER, `${original}\n// e2e: a new version\n`)
    await page.evaluate(async () => { await (await navigator.serviceWorker.getRegistration())?.update() })
    await expect(page.getByRole('status').filter({ hasText: 'A new version is ready' })).toBeVisible()

    const reloaded = page.waitForEvent('load')
    await page.getByRole('button', { name: 'Reload', exact: true }).click()
    await reloaded
    await waitControlled(page)
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(firstWorker)
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting == null)).toBe(true)
    await expect(page.getByText('A new version is ready')).toHaveCount(0)
    expect(await page.evaluate(async () => await caches.keys())).not.toContain('peerlink-old-version')
  } finally {
    await writeFile(BUILT_WORKER, original)
    await context.close()
  }
})

test('after "Reload" in one tab, the others leave the old version too: a hidden one at once, a visible one when the user looks away, and none of them takes the node meanwhile', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL })
  const original = await readFile(BUILT_WORKER, 'utf8')
  try {
    const chosen = await context.newPage()
    const hidden = await context.newPage()
    const visible = await context.newPage()
    for (const page of [chosen, hidden, visible]) {
      await page.goto('/')
      await waitControlled(page)
    }
    await writeFile(BUILT_WORKER, `${original}\n// e2e: a new version\n`)
    await chosen.evaluate(async () => { await (await navigator.serviceWorker.getRegistration())?.update() })
    for (const page of [chosen, hidden, visible]) {
      await expect(page.getByRole('status').filter({ hasText: 'A new version is ready' })).toBeVisible()
    }
    // a mark on each old document: gone once the page has reloaded
    for (const page of [hidden, visible]) await page.evaluate(() => { Object.assign(window, { oldVersion: true }) })
    const oldVersion = async (page: Page): Promise<boolean> => await page.evaluate(() => 'oldVersion' in window)
    await hide(hidden)
    const visibleTakenOver = visible.evaluate(async () => {
      await new Promise(resolve => { navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }) })
    })
    const reloads = [chosen.waitForEvent('load'), hidden.waitForEvent('load')]
    await chosen.getByRole('button', { name: 'Reload', exact: true }).click()
    await Promise.all(reloads)
    expect(await oldVersion(hidden)).toBe(false)

    // the one in sight stays as it is and still offers the reload...
    await visibleTakenOver
    expect(await oldVersion(visible)).toBe(true)
    await expect(visible.getByRole('status').filter({ hasText: 'A new version is ready' })).toBeVisible()
    // ...but no longer waits for the node: that goes to a tab of the new version, not back to the old code
    await expect(visible.getByRole('status').filter({ hasText: 'Peerlink was updated in another tab' })).toBeVisible()
    await expect(async () => {
      const states = await Promise.all([chosen, hidden].map(async page => await page.locator('[data-relay]').textContent()))
      expect(states).toContain('Online')
    }).toPass()
    await expect(visible.locator('[data-relay]')).toHaveText('Open in another tab')
    // ...and takes it once the user looks away
    const reloaded = visible.waitForEvent('load')
    await hide(visible)
    await reloaded
    expect(await oldVersion(visible)).toBe(false)
    for (const page of [chosen, hidden, visible]) {
      await waitControlled(page)
      await expect(page.getByText('A new version is ready')).toHaveCount(0)
    }
  } finally {
    await writeFile(BUILT_WORKER, original)
    await context.close()
  }
})
