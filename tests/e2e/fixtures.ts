import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { RelayProcess } from './relay-process.ts'

export interface Peer {
  context: BrowserContext
  page: Page
  /** the peer's share link as the page shows it */
  link: string
  peerId: string
}

/** Opens Peerlink in a fresh browser profile and waits until it is reachable through the relay. */
export async function openPeer (browser: Browser, baseURL: string): Promise<Peer> {
  const context = await browser.newContext({ baseURL })
  const page = await context.newPage()
  await debugPage(context, page)
  const started = Date.now()
  await page.goto('/')
  await waitReachable(page)
  // a figure for the record, never an assertion: tests do not time things
  console.log(`[figure] page load to relay reservation, new identity: ${Date.now() - started} ms`)
  const link = await page.getByLabel('Your link', { exact: true }).inputValue()
  const peerId = link.split('/p/')[1] ?? ''
  return { context, page, link, peerId }
}

/**
 * PEERLINK_E2E_DEBUG=<libp2p debug namespaces> turns on libp2p's logs in every
 * page and prints them, each line tagged with the page, for chasing a failure.
 */
let pages = 0
async function debugPage (context: BrowserContext, page: Page): Promise<void> {
  const namespaces = process.env.PEERLINK_E2E_DEBUG
  if (namespaces == null || namespaces === '') return
  const tag = `page${++pages}`
  await context.addInitScript((ns: string) => { localStorage.setItem('debug', ns) }, namespaces)
  page.on('console', message => { console.log(`[${tag} ${new Date().toISOString().slice(11, 23)}] ${message.text()}`) })
}

/** The header says Online once the relay reservation is made: others can reach us. */
export async function waitReachable (page: Page, timeout?: number): Promise<void> {
  await expect(page.getByLabel('Your link', { exact: true })).toHaveValue(/\/p\/12D3Koo/, { timeout })
  await expect(page.locator('[data-relay]')).toHaveAttribute('data-relay', 'reserved', { timeout })
  await expect(page.locator('[data-relay]')).toHaveText('Online', { timeout })
}

/** The "Connection" indicator of the open conversation. */
export function connection (page: Page) {
  return page.getByLabel('Connection', { exact: true })
}

export async function sendMessage (page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
}

/**
 * As if the user switched to another tab or app: the page is hidden, and says
 * so. Headless Chromium shows every page, so the document is told; a reload
 * makes a visible document again.
 */
export async function hide (page: Page): Promise<void> {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true })
    document.dispatchEvent(new Event('visibilitychange'))
  })
}

/**
 * As if the user went to another window, leaving this one in view (behind it,
 * or beside it on another screen): the page stays visible but loses the
 * focus. Playwright tells every page it has the focus, so the document is told.
 */
export async function lookAway (page: Page): Promise<void> {
  await page.evaluate(() => {
    document.hasFocus = () => false
    window.dispatchEvent(new FocusEvent('blur'))
  })
}

/** The user comes back to the window lookAway() left. */
export async function lookBack (page: Page): Promise<void> {
  await page.evaluate(() => {
    document.hasFocus = () => true
    window.dispatchEvent(new FocusEvent('focus'))
  })
}

export function messageLog (page: Page) {
  return page.getByRole('log', { name: 'Messages' })
}

export const test = base.extend<{ baseURL: string }, { relay: RelayProcess }>({
  relay: [async ({}, use) => {
    const relay = new RelayProcess()
    await relay.start()
    await use(relay)
    await relay.dispose()
  }, { scope: 'worker' }],
  baseURL: async ({ relay }, use) => {
    // tests may stop the relay; every test starts with it running
    await relay.start()
    await use(relay.url)
  }
})

export { expect }

/**
 * Two people, a browser context each, opened before every test of the
 * describe block it is called in and closed after it; `take` hands them to
 * the block's own variables.
 */
export function twoPeopleEachTest (take: (alice: Peer, bob: Peer) => void): void {
  let opened: Peer[] = []
  test.beforeEach(async ({ browser, baseURL }) => {
    const alice = await openPeer(browser, baseURL)
    const bob = await openPeer(browser, baseURL)
    opened = [alice, bob]
    take(alice, bob)
  })
  test.afterEach(async () => {
    for (const peer of opened.splice(0)) await peer.context.close()
  })
}
