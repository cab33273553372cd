import { connection, expect, hide, lookAway, lookBack, messageLog, openPeer, sendMessage, test, waitReachable } from './fixtures.ts'
import type { Browser, BrowserContext, Page } from '@playwright/test'

interface Recorded {
  notes: Array<{ title: string, body?: string, url?: string }>
  badges: number[]
  permissionRequests: number
}

/**
 * Records what the app asks of the platform: notifications shown (either
 * way), app badge values and permission prompts, then lets each call through.
 */
function recordPlatformCalls (): void {
  const rec: Recorded = { notes: [], badges: [], permissionRequests: 0 }
  ;(window as unknown as { __rec: Recorded }).__rec = rec
  const note = (title: string, options?: NotificationOptions): void => {
    rec.notes.push({ title, body: options?.body, url: (options?.data as { url?: string } | undefined)?.url })
  }
  const show = ServiceWorkerRegistration.prototype.showNotification
  ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
    note(title, options)
    return show.call(this, title, options)
  }
  const Original = window.Notification
  const Wrapped = function (title: string, options?: NotificationOptions) {
    note(title, options)
    return new Original(title, options)
  } as unknown as typeof Notification
  Object.defineProperty(Wrapped, 'permission', { get: () => Original.permission })
  Wrapped.requestPermission = async () => {
    rec.permissionRequests++
    return await Original.requestPermission()
  }
  window.Notification = Wrapped
  navigator.setAppBadge = async (n?: number) => { rec.badges.push(n ?? 0) }
  navigator.clearAppBadge = async () => { rec.badges.push(0) }
}

async function recorded (page: Page): Promise<Recorded> {
  return await page.evaluate(() => (window as unknown as { __rec: Recorded }).__rec)
}

/**
 * A context whose pages may show notifications. Granting permissions denies
 * every other one (CDP Browser.grantPermissions), and without media
 * permission Chromium gathers no host ICE candidates here: those are granted too.
 */
async function notifyingContext (browser: Browser, baseURL: string): Promise<BrowserContext> {
  return await browser.newContext({ baseURL, permissions: ['notifications', 'camera', 'microphone'] })
}

/** Turns notifications on with the app's button, as the user does. */
async function turnOn (page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Turn on notifications' }).click()
  await expect(page.getByRole('button', { name: 'Turn off notifications' })).toBeVisible()
}

async function openAlice (context: BrowserContext): Promise<{ page: Page, link: string }> {
  const page = await context.newPage()
  await page.goto('/')
  await waitReachable(page)
  await page.waitForFunction(() => navigator.serviceWorker.controller != null)
  return { page, link: await page.getByLabel('Your link', { exact: true }).inputValue() }
}

test('a message that arrives while the page is hidden shows a notification after opt-in, sets the badge, and a click opens the conversation', async ({ browser, baseURL }) => {
  const context = await notifyingContext(browser, baseURL)
  await context.addInitScript(recordPlatformCalls)
  const bob = await openPeer(browser, baseURL)
  try {
    const alice = await openAlice(context)
    // never asked on load, even with the permission already granted
    expect((await recorded(alice.page)).permissionRequests).toBe(0)

    await bob.page.goto(alice.link)
    await expect(connection(bob.page)).toHaveText('Direct')
    await hide(alice.page)
    await sendMessage(bob.page, 'before you opted in')
    await expect.poll(async () => (await recorded(alice.page)).badges.at(-1)).toBe(1)
    expect((await recorded(alice.page)).notes).toHaveLength(0)

    await alice.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' })
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false })
    })
    await turnOn(alice.page)
    expect((await recorded(alice.page)).permissionRequests).toBe(1)

    await hide(alice.page)
    await sendMessage(bob.page, 'you have mail')
    await expect.poll(async () => (await recorded(alice.page)).notes).toEqual([
      expect.objectContaining({ body: 'you have mail', url: `/p/${bob.peerId}` })
    ])
    await expect.poll(async () => (await recorded(alice.page)).badges.at(-1)).toBe(2)

    // the user taps the notification: the service worker's click handler opens the conversation
    const [worker] = context.serviceWorkers()
    await worker.evaluate(async () => {
      // the worker's globals, which this file's DOM typings do not have
      const scope = self as unknown as { registration: { getNotifications: () => Promise<unknown[]> }, dispatchEvent: (e: Event) => void }
      const NotificationEvent = (self as unknown as { NotificationEvent: new (type: string, init: { notification: unknown }) => Event }).NotificationEvent
      // recorded above as showNotification was called: in the tray a moment later
      let shown: unknown[] = []
      while (shown.length === 0) {
        await new Promise(resolve => setTimeout(resolve, 50))
        shown = await scope.registration.getNotifications()
      }
      scope.dispatchEvent(new NotificationEvent('notificationclick', { notification: shown[0] }))
    })
    await expect(alice.page).toHaveURL(new RegExp(`/p/${bob.peerId}$`))
    await expect(alice.page.getByRole('log', { name: 'Messages' })).toContainText('you have mail')
  } finally {
    await context.close()
    await bob.context.close()
  }
})

test('a notification click with another tab waiting opens the conversation in the tab that runs Peerlink, not the waiting one', async ({ browser, baseURL }) => {
  const context = await notifyingContext(browser, baseURL)
  const bob = await openPeer(browser, baseURL)
  try {
    const alice = await openAlice(context)
    await turnOn(alice.page)
    // opened later, so it is the window the user was in last: it waits for the first tab
    const waiting = await context.newPage()
    await waiting.goto('/')
    await expect(waiting.getByRole('button', { name: 'Use Peerlink here' })).toBeVisible()
    await waiting.waitForFunction(() => navigator.serviceWorker.controller != null)

    await bob.page.goto(alice.link)
    await expect(connection(bob.page)).toHaveText('Direct')
    await hide(alice.page)
    await waiting.bringToFront()
    await sendMessage(bob.page, 'you have mail')
    const [worker] = context.serviceWorkers()
    await worker.evaluate(async () => {
      const scope = self as unknown as { registration: { getNotifications: () => Promise<unknown[]> }, dispatchEvent: (e: Event) => void }
      const NotificationEvent = (self as unknown as { NotificationEvent: new (type: string, init: { notification: unknown }) => Event }).NotificationEvent
      // shown from the running tab, a moment after the message was stored
      let shown: unknown[] = []
      while (shown.length === 0) {
        await new Promise(resolve => setTimeout(resolve, 50))
        shown = await scope.registration.getNotifications()
      }
      scope.dispatchEvent(new NotificationEvent('notificationclick', { notification: shown[0] }))
    })
    await expect(alice.page).toHaveURL(new RegExp(`/p/${bob.peerId}$`))
    await expect(alice.page.getByRole('log', { name: 'Messages' })).toContainText('you have mail')
    // the waiting tab, which could not have shown it, stays where it was
    expect(new URL(waiting.url()).pathname).toBe('/')
  } finally {
    await context.close()
    await bob.context.close()
  }
})

test('a notification leaves the tray once its conversation is read in the app', async ({ browser, baseURL }) => {
  const context = await notifyingContext(browser, baseURL)
  const bob = await openPeer(browser, baseURL)
  try {
    const alice = await openAlice(context)
    await turnOn(alice.page)
    await bob.page.goto(alice.link)
    await expect(connection(bob.page)).toHaveText('Direct')
    await hide(alice.page)
    await sendMessage(bob.page, 'read me')
    const [worker] = context.serviceWorkers()
    const inTray = async (): Promise<number> => await worker.evaluate(async () => {
      const scope = self as unknown as { registration: { getNotifications: () => Promise<unknown[]> } }
      return (await scope.registration.getNotifications()).length
    })
    await expect.poll(inTray).toBe(1)

    // the user comes back and opens the conversation from the list, not from the notification
    await alice.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' })
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false })
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await alice.page.getByRole('link', { name: /read me/ }).click()
    await expect(alice.page.getByRole('log', { name: 'Messages' })).toContainText('read me')
    await expect.poll(inTray).toBe(0)
  } finally {
    await context.close()
    await bob.context.close()
  }
})

/** Many times the delay after which a conversation in view marks its arrivals read (MARK_READ_DELAY_MS, 50 ms). */
const STAYS_UNREAD_MS = 1_000

test('a message that comes while the window is in view but not in use stays unread, sends no read receipt and shows a notification, until the user looks back', async ({ browser, baseURL }) => {
  const context = await notifyingContext(browser, baseURL)
  await context.addInitScript(recordPlatformCalls)
  const bob = await openPeer(browser, baseURL)
  try {
    const alice = await openAlice(context)
    await alice.page.getByLabel('Send read receipts').check()
    await turnOn(alice.page)
    await alice.page.goto(`/p/${bob.peerId}`)
    await expect(connection(alice.page)).toHaveText('Direct')
    await bob.page.goto(alice.link)

    // looking at the conversation: read as it comes, and Bob is told
    await sendMessage(bob.page, 'while you look')
    await expect(messageLog(bob.page).locator('li', { hasText: 'while you look' })).toHaveAttribute('data-status', 'read')

    await lookAway(alice.page)
    await sendMessage(bob.page, 'while you are elsewhere')
    const arrived = messageLog(alice.page).locator('li', { hasText: 'while you are elsewhere' })
    const sent = messageLog(bob.page).locator('li', { hasText: 'while you are elsewhere' })
    await expect(arrived).toHaveAttribute('data-status', 'delivered')
    await expect(sent).toHaveAttribute('data-status', 'delivered')
    await expect.poll(async () => (await recorded(alice.page)).notes).toEqual([
      expect.objectContaining({ body: 'while you are elsewhere' })
    ])
    await alice.page.waitForTimeout(STAYS_UNREAD_MS)
    await expect(arrived).toHaveAttribute('data-status', 'delivered')
    await expect(sent).toHaveAttribute('data-status', 'delivered')

    await lookBack(alice.page)
    await expect(sent).toHaveAttribute('data-status', 'read')
    await expect(arrived).toHaveAttribute('data-status', 'read')
  } finally {
    await context.close()
    await bob.context.close()
  }
})
