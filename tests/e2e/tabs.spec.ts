import { connection, expect, messageLog, sendMessage, test, type Peer, twoPeopleEachTest } from './fixtures.ts'

test.describe('tabs of one profile', () => {
  let alice: Peer
  let bob: Peer

  twoPeopleEachTest((a, b) => { alice = a; bob = b })

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

    // the running tab closes: this one starts the node, and what is sent meanwhile shows at once and goes once it runs
    await alice.page.close()
    await expect(waiting.getByRole('button', { name: 'Use Peerlink here' })).toBeHidden()
    await waiting.getByLabel('Message', { exact: true }).press('Enter')
    await expect(messageLog(waiting).locator('li.out', { hasText: 'from the waiting tab' })).toHaveCount(1)
    await expect(messageLog(bob.page).locator('li.in .text', { hasText: /^from the waiting tab$/ })).toHaveCount(1)
    await waiting.close()
  })

  test('a tab whose storage a newer version takes stops its node, leaves the node to that version and says to reload', async () => {
    await alice.page.goto(bob.link)
    await bob.page.goto(alice.link)
    await expect(connection(alice.page)).toHaveText('Direct')
    const waiting = await alice.context.newPage()
    await waiting.goto('/')
    await expect(waiting.getByRole('button', { name: 'Use Peerlink here' })).toBeVisible()

    // the newer version, in a page of its own (one the app does not run in):
    // it upgrades the database, then asks for the node lock as the app does
    const newer = await alice.context.newPage()
    await newer.goto('/healthz')
    await newer.evaluate(async () => {
      const open = async (version?: number): Promise<IDBDatabase> => await new Promise((resolve, reject) => {
        const req = indexedDB.open('peerlink', version)
        req.onsuccess = () => { resolve(req.result) }
        req.onerror = () => { reject(req.error) }
      })
      const current = await open()
      const version = current.version + 1
      current.close()
      await open(version)
      void navigator.locks.request('peerlink-node', async () => {
        Object.assign(window, { runsNode: true })
        await new Promise(() => {})
      })
    })

    for (const page of [alice.page, waiting]) {
      await expect(page.getByRole('alert').filter({ hasText: 'Peerlink was updated in another tab. Reload this page' })).toBeVisible()
      await expect(page.getByRole('button', { name: 'Use Peerlink here' })).toHaveCount(0)
    }
    // the old tab's node is stopped, and the newer version runs the node, not the old tab that waited
    await expect(connection(alice.page)).toHaveText('Offline')
    await expect(alice.page.getByRole('button', { name: 'Send', exact: true })).toBeDisabled()
    await expect.poll(async () => await newer.evaluate(() => (window as unknown as { runsNode?: boolean }).runsNode === true)).toBe(true)
    await expect(connection(bob.page)).not.toHaveText('Direct')
    // nothing Bob sends now is taken (and acked) by a tab that cannot store it
    await sendMessage(bob.page, 'after the update')
    await expect(messageLog(bob.page).locator('li.out', { hasText: 'after the update' })).toHaveAttribute('data-status', 'queued')
    await waiting.close()
    await newer.close()
  })
})
