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
