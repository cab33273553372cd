import { connection, expect, messageLog, openPeer, sendMessage, test, type Peer } from './fixtures.ts'

test.describe('tabs of one profile', () => {
  let alice: Peer
  let bob: Peer

  test.beforeEach(async ({ browser, baseURL }) => {
    alice = await openPeer(browser, baseURL)
    bob = await openPeer(browser, baseURL)
  })

  test.afterEach(async () => {
    await alice.context.close()
    await bob.context.close()
  })

  test('a conversation opened in a waiting tab shows its stored history and keeps up with the tab that runs Peerlink', async () => {
    await alice.page.goto(bob.link)
    await bob.page.goto(alice.link)
    await expect(connection(alice.page)).toHaveText('Direct')
    await sendMessage(bob.page, 'before the second tab')
    await expect(messageLog(alice.page).locator('li.in .text', { hasText: /^before the second tab$/ })).toHaveCount(1)

    const waiting = await alice.context.newPage()
    await waiting.goto(`/p/${bob.peerId}`)
    await expect(waiting.getByRole('button', { name: 'Use Peerlink here' })).toBeVisible()
    await expect(messageLog(waiting).locator('li.in .text', { hasText: /^before the second tab$/ })).toHaveCount(1)
    // it cannot send: the other tab does, and this one says so
    await expect(waiting.getByText('in the other tab that runs Peerlink')).toBeVisible()
    await waiting.getByLabel('Message', { exact: true }).fill('from the waiting tab')
    await expect(waiting.getByRole('button', { name: 'Send', exact: true })).toBeDisabled()

    // what the running tab stores afterwards shows here too: arrivals, and own messages with their state
    await sendMessage(bob.page, 'while you wait')
    await expect(messageLog(waiting).locator('li.in .text', { hasText: /^while you wait$/ })).toHaveCount(1)
    await sendMessage(alice.page, 'from the first tab')
    await expect(messageLog(waiting).locator('li.out', { hasText: 'from the first tab' })).toHaveAttribute('data-status', /delivered|read/)
    await waiting.close()
  })
})
