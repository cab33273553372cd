import { test as base } from '@playwright/test'
import { connection, expect, messageLog, openPeer, sendMessage } from './fixtures.ts'
import { RelayProcess } from './relay-process.ts'

/** A relay with room for one reservation: the second browser finds it full. */
const test = base.extend<object, { relay: RelayProcess }>({
  relay: [async ({}, use) => {
    const relay = new RelayProcess(['--max-reservations', '1'])
    await relay.start()
    await use(relay)
    await relay.dispose()
  }, { scope: 'worker' }]
})

test('a full relay is shown as "Relay full", friends can still be dialed, and a freed slot is taken', async ({ browser, relay }) => {
  const alice = await openPeer(browser, relay.url)
  const context = await browser.newContext({ baseURL: relay.url })
  const page = await context.newPage()
  try {
    await page.goto('/')
    // a refusal, not a hang: the header says so, and the notice says what it means
    await expect(page.locator('[data-relay]')).toHaveAttribute('data-relay', 'full')
    await expect(page.locator('[data-relay]')).toHaveText('Relay full')
    await expect(page.getByRole('status').filter({ hasText: 'no room for you' })).toBeVisible()

    // dialing out needs only the relay connection, not a reservation
    await page.goto(alice.link)
    await expect(connection(page)).toHaveText('Direct')
    await sendMessage(page, 'hello from the full relay')
    await expect(messageLog(page).locator('li.out', { hasText: 'hello from the full relay' })).toHaveAttribute('data-status', /delivered|read/)

    // Alice leaves; the relay frees her slot and Bob takes it when he asks again
    await alice.context.close()
    await expect(page.locator('[data-relay]')).toHaveAttribute('data-relay', 'reserved', { timeout: 60_000 })
  } finally {
    await context.close()
    await alice.context.close().catch(() => {})
  }
})
