import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { BrowserContext, Page } from '@playwright/test'
import { expect, hide, test, waitReachable } from './fixtures.ts'
import { waitControlled } from './worker.ts'

/**
 * What the service worker tells a page in the first seconds of its start:
 * the app registers the worker only once its start is over (up to seconds
 * later), yet the worker may already control the page and speak to it.
 */

const BUILT_WORKER = resolve(import.meta.dirname, '../../build/service-worker.js')

/** How long the relay takes to describe itself: the page's start waits for it, well inside the page's own time limit. */
const RELAY_INFO_HOLD_MS = 4_000

/** From now on /relay.json comes RELAY_INFO_HOLD_MS late: a page loaded now stays in its start that long. */
async function slowRelayInfo (context: BrowserContext): Promise<void> {
  await context.route('**/relay.json', async route => {
    await new Promise(resolve => setTimeout(resolve, RELAY_INFO_HOLD_MS))
    await route.continue().catch(() => {})
  })
}

/** The app has mounted (the stored identity shows) and is still starting. */
async function stillStarting (page: Page): Promise<void> {
  await expect(page.getByLabel('Your link', { exact: true })).toHaveValue(/\/p\/12D3Koo/)
  await expect(page.locator('[data-relay]')).not.toHaveAttribute('data-relay', 'reserved')
}

test('a notification clicked while the app is starting still opens its conversation', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, permissions: ['notifications'] })
  const friend = '12D3KooWRaPePUeKMs4dWsZe5EwuS6q3zfy41XE46X3zzAcLj13t'
  try {
    const page = await context.newPage()
    await page.goto('/')
    await waitReachable(page)
    await waitControlled(page)
    // a notification of an earlier visit, still in the tray, tapped as the app opens again
    await slowRelayInfo(context)
    await page.reload()
    await stillStarting(page)
    const [worker] = context.serviceWorkers()
    await worker.evaluate(async (url: string) => {
      // the worker's globals, which this file's DOM typings do not have
      const scope = self as unknown as { registration: ServiceWorkerRegistration, dispatchEvent: (e: Event) => void }
      const NotificationEvent = (self as unknown as { NotificationEvent: new (type: string, init: { notification: Notification }) => Event }).NotificationEvent
      await scope.registration.showNotification('A friend', { body: 'hello', tag: 'friend', data: { url } })
      const [shown] = await scope.registration.getNotifications()
      scope.dispatchEvent(new NotificationEvent('notificationclick', { notification: shown }))
    }, `/p/${friend}`)
    await expect(page).toHaveURL(new RegExp(`/p/${friend}$`))
  } finally {
    await context.close()
  }
})

test('a tab still starting when another tab chooses "Reload" knows it is on the old version', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL })
  const original = await readFile(BUILT_WORKER, 'utf8')
  try {
    const starting = await context.newPage()
    await starting.goto('/')
    await waitReachable(starting)
    await waitControlled(starting)
    await writeFile(BUILT_WORKER, `${original}\n// e2e: a new version\n`)
    await starting.evaluate(async () => { await (await navigator.serviceWorker.getRegistration())?.update() })
    await expect(starting.getByRole('status').filter({ hasText: 'A new version is ready' })).toBeVisible()

    await slowRelayInfo(context)
    await starting.reload()
    await stillStarting(starting)
    await starting.evaluate(() => { Object.assign(window, { oldVersion: true }) })
    // a second tab waits for the first, offers the new version at once, and the user takes it there
    const other = await context.newPage()
    await other.goto('/')
    const reloaded = other.waitForEvent('load')
    await other.getByRole('button', { name: 'Reload', exact: true }).click()
    await reloaded

    // the new version deleted the cache the starting tab's code came from: it says so, and leaves it when out of sight
    await waitReachable(starting)
    await expect(starting.getByRole('status').filter({ hasText: 'A new version is ready' })).toBeVisible()
    expect(await starting.evaluate(() => 'oldVersion' in window)).toBe(true)
    const left = starting.waitForEvent('load')
    await hide(starting)
    await left
    expect(await starting.evaluate(() => 'oldVersion' in window)).toBe(false)
  } finally {
    await writeFile(BUILT_WORKER, original)
    await context.close()
  }
})
