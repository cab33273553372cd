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
  const started = Date.now()
  await page.goto('/')
  await waitReachable(page)
  // a figure for the record, never an assertion: tests do not time things
  console.log(`[figure] page load to relay reservation, new identity: ${Date.now() - started} ms`)
  const link = await page.getByLabel('Your link', { exact: true }).inputValue()
  const peerId = link.split('/p/')[1] ?? ''
  return { context, page, link, peerId }
}

/** The header says Online once the relay reservation is made: others can reach us. */
export async function waitReachable (page: Page): Promise<void> {
  await expect(page.getByLabel('Your link', { exact: true })).toHaveValue(/\/p\/12D3Koo/)
  await expect(page.locator('[data-relay]')).toHaveAttribute('data-relay', 'reserved')
  await expect(page.locator('[data-relay]')).toHaveText('Online')
}

/** The "Connection" indicator of the open conversation. */
export function connection (page: Page) {
  return page.getByLabel('Connection', { exact: true })
}

export async function sendMessage (page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
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
