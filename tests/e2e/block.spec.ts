import { connection, expect, messageLog, sendMessage, test, twoPeopleEachTest, type Peer } from './fixtures.ts'
import { storedMessages } from './stored.ts'
import type { Page } from '@playwright/test'

/**
 * How long a blocked peer's message is watched for not arriving: several of
 * its sender's redials (the first ones come within seconds), each of which a
 * missing block would let through. A bounded look, not a timing assertion.
 */
const WATCH_BLOCKED_MS = 8_000
const WATCH_STEP_MS = 500

async function expectDelivered (page: Page, text: string): Promise<void> {
  await expect(messageLog(page).locator('li.out', { hasText: text })).toHaveAttribute('data-status', /delivered|read/)
}

/** Watches for WATCH_BLOCKED_MS that `text` reaches neither the blocker's screen nor its store, and stays undelivered at its sender. */
async function expectKeptOut (blocker: Peer, sender: Peer, text: string): Promise<void> {
  const mine = messageLog(sender.page).locator('li.out', { hasText: text })
  for (let waited = 0; waited < WATCH_BLOCKED_MS; waited += WATCH_STEP_MS) {
    await expect(messageLog(blocker.page)).not.toContainText(text)
    await expect(mine).toHaveAttribute('data-status', /queued|sent/)
    expect((await storedMessages(blocker.page, sender.peerId)).map(m => m.text)).not.toContain(text)
    await blocker.page.waitForTimeout(WATCH_STEP_MS)
  }
}

test.describe('blocking a peer', () => {
  let alice: Peer
  let bob: Peer

  twoPeopleEachTest((a, b) => { alice = a; bob = b })

  test('A blocks B: B\'s message does not reach A, across a reload; once A unblocks, it arrives and shows delivered at B', async () => {
    await bob.page.goto(alice.link)
    await expect(connection(bob.page)).toHaveText('Direct')
    await sendMessage(bob.page, 'hi alice')
    await expectDelivered(bob.page, 'hi alice')
    await alice.page.getByRole('link', { name: /hi alice/ }).click()
    await expect(messageLog(alice.page)).toContainText('hi alice')
    await expect(connection(alice.page)).toHaveText('Direct')

    // asked first; only the answer blocks
    const block = alice.page.getByRole('button', { name: 'Block', exact: true })
    await block.click()
    await expect(block).toHaveAttribute('aria-expanded', 'true')
    await alice.page.getByRole('button', { name: 'Yes, block', exact: true }).click()
    const notice = alice.page.getByText('You blocked this person. They cannot reach you.')
    await expect(notice).toBeVisible()
    await expect(alice.page.getByLabel('Message', { exact: true })).toHaveCount(0)
    await expect(block).toHaveCount(0)
    await expect(connection(alice.page)).toHaveText('Offline')
    await expect(connection(bob.page)).not.toHaveText('Direct')

    await sendMessage(bob.page, 'why can\'t I reach you?')
    await expectKeptOut(alice, bob, 'why can\'t I reach you?')

    // the block is kept: after a reload the conversation is still blocked, and still nothing comes
    await alice.page.reload()
    // the node runs again, reachable through the relay: B's redials find it there
    await expect(alice.page.locator('[data-relay]')).toHaveAttribute('data-relay', 'reserved')
    await expect(notice).toBeVisible()
    await expect(messageLog(alice.page)).toContainText('hi alice')
    // opened by its link, as a reload does, the blocked conversation is not dialed
    await expect(connection(alice.page)).toHaveText('Offline')
    await expectKeptOut(alice, bob, 'why can\'t I reach you?')
    // the home page's list says so too, with no unread count
    await alice.page.getByRole('link', { name: 'Back to conversations' }).click()
    await expect(alice.page.getByRole('link', { name: /hi alice/ })).toContainText('Blocked')
    await alice.page.getByRole('link', { name: /hi alice/ }).click()

    await alice.page.getByRole('button', { name: 'Unblock', exact: true }).click()
    await expect(notice).toHaveCount(0)
    await expect(alice.page.getByLabel('Message', { exact: true })).toBeVisible()
    await expect(messageLog(alice.page)).toContainText('why can\'t I reach you?')
    await expectDelivered(bob.page, 'why can\'t I reach you?')
    // and it goes both ways again
    await sendMessage(alice.page, 'sorry, back now')
    await expectDelivered(alice.page, 'sorry, back now')
    await expect(messageLog(bob.page)).toContainText('sorry, back now')
  })
})
