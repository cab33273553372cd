import { expect, test, waitReachable } from './fixtures.ts'
import type { Page } from '@playwright/test'

/** The diagnostics page's answer for the relay. */
function relayRow (page: Page) {
  return page.locator('dt:text-is("Relay") + dd')
}

test('the diagnostics page of a tab that does not run the node says so, rather than a relay state it does not have', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL })
  try {
    const first = await context.newPage()
    await first.goto('/')
    await waitReachable(first)
    await first.getByRole('link', { name: 'Diagnostics' }).click()
    await expect(relayRow(first)).toHaveText('reserved')

    // a second tab waits for the first: it never connects to a relay
    const second = await context.newPage()
    await second.goto('/diagnostics')
    await expect(second.getByRole('button', { name: 'Use Peerlink here' })).toBeVisible()
    await expect(relayRow(second)).toHaveText(/another tab/)

    // it takes over: the first one's node is stopped, its reservation gone with it
    await second.getByRole('button', { name: 'Use Peerlink here' }).click()
    await expect(first.getByRole('button', { name: 'Use Peerlink here' })).toBeVisible()
    await expect(relayRow(first)).toHaveText(/another tab/)
    await expect(relayRow(second)).toHaveText('reserved')
  } finally {
    await context.close()
  }
})

/** The libp2p log lines a page prints while it starts, with localStorage.debug set to `namespaces` (or unset). */
async function libp2pLogLines (browser: import('@playwright/test').Browser, baseURL: string, namespaces?: string): Promise<string[]> {
  const context = await browser.newContext({ baseURL })
  try {
    if (namespaces != null) await context.addInitScript((ns: string) => { localStorage.setItem('debug', ns) }, namespaces)
    const page = await context.newPage()
    const lines: string[] = []
    page.on('console', message => { if (/libp2p:/.test(message.text())) lines.push(message.text()) })
    await page.goto('/')
    await waitReachable(page)
    return lines
  } finally {
    await context.close()
  }
}

// The page gets libp2p's logger only when asked (vite/logger-on-demand.ts):
// asked the way the library documents, it must still log.
test("libp2p logs what localStorage.debug asks for, and nothing when it is not set", async ({ browser, baseURL }) => {
  const asked = await libp2pLogLines(browser, baseURL, 'libp2p:circuit-relay*')
  expect(asked.length).toBeGreaterThan(0)
  expect(asked.every(line => line.includes('libp2p:circuit-relay'))).toBe(true)
  expect(await libp2pLogLines(browser, baseURL)).toEqual([])
})
