import { test as base, type Page } from '@playwright/test'
import { connection, expect, messageLog, openPeer, sendMessage, waitReachable, type Peer } from './fixtures.ts'
import { RelayProcess } from './relay-process.ts'

/**
 * Two relays that share Peerlink's DHT, as two communities would run them:
 * relay 2 is told about relay 1 (--bootstrap) and nothing else.
 */
const test = base.extend<object, { relays: [RelayProcess, RelayProcess] }>({
  relays: [async ({}, use) => {
    const first = new RelayProcess()
    await first.start()
    const second = new RelayProcess(['--bootstrap', (await relayInfo(first)).multiaddrs[0]])
    await second.start()
    await use([first, second])
    await second.dispose()
    await first.dispose()
  }, { scope: 'worker' }]
})

interface Info { peerId: string, multiaddrs: string[], relays: string[] }

async function relayInfo (relay: RelayProcess): Promise<Info> {
  const res = await fetch(`${relay.url}/relay.json`)
  return await res.json() as Info
}

/**
 * After a test that restarted a relay, the other one redials it only every
 * BOOTSTRAP_REDIAL_MS (10 s), and the restarted one takes seconds to start.
 */
const FEDERATED_TIMEOUT_MS = 40_000

/** Each relay lists the other in /relay.json once they have met in the DHT; browsers read it when they load. */
async function federated (a: RelayProcess, b: RelayProcess): Promise<void> {
  const [ia, ib] = [await relayInfo(a), await relayInfo(b)]
  await expect.poll(async () => (await relayInfo(a)).relays.some(r => r.endsWith(ib.peerId)), { timeout: FEDERATED_TIMEOUT_MS }).toBe(true)
  await expect.poll(async () => (await relayInfo(b)).relays.some(r => r.endsWith(ia.peerId)), { timeout: FEDERATED_TIMEOUT_MS }).toBe(true)
}

/** Pastes a friend's link into "Friend's link" on the home page: it opens on this browser's own relay. */
async function openFriendLink (page: Page, link: string): Promise<void> {
  await page.getByLabel("Friend's link").fill(link)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
}

async function expectDelivered (page: Page, text: string): Promise<void> {
  await expect(messageLog(page).locator('li.out', { hasText: text })).toHaveAttribute('data-status', /delivered|read/)
}

/** The diagnostics page's list of our own addresses (circuit addresses name the relay that holds our reservation). */
function ownAddresses (page: Page) {
  return page.getByRole('heading', { name: 'Addresses' }).locator('xpath=following-sibling::ul[1]')
}

async function chatAcrossRelays (from: Peer, to: Peer, text: string): Promise<number> {
  await from.page.goto('/')
  const started = Date.now()
  await openFriendLink(from.page, to.link)
  await expect(from.page).toHaveURL(new RegExp(`/p/${to.peerId}$`))
  await expect(connection(from.page)).toHaveText('Direct')
  const ms = Date.now() - started
  await sendMessage(from.page, text)
  await expectDelivered(from.page, text)
  return ms
}

test.describe('several relays find each other\'s peers over the DHT', () => {
  test('B on relay 2 opens A\'s plain link from relay 1 and they chat directly; after both relays restart, A is found again', async ({ browser, relays: [first, second] }) => {
    await federated(first, second)
    const [r1, r2] = [(await relayInfo(first)).peerId, (await relayInfo(second)).peerId]
    const alice = await openPeer(browser, first.url)
    const bob = await openPeer(browser, second.url)
    try {
      // each holds its reservation on its own relay only: relay 2 alone cannot reach Alice
      expect(new URL(alice.link).origin).toBe(first.url)
      expect(alice.link).not.toContain('relay=')

      const lookupMs = await chatAcrossRelays(bob, alice, 'hello across relays')
      console.log(`[figure] friend's link on another relay to direct connection (DHT lookup included): ${lookupMs} ms`)
      await expect(alice.page.getByRole('link', { name: /hello across relays/ })).toBeVisible()
      await alice.page.getByRole('link', { name: /hello across relays/ }).click()
      await expect(messageLog(alice.page)).toContainText('hello across relays')
      await sendMessage(alice.page, 'found you, bob')
      await expectDelivered(alice.page, 'found you, bob')
      await expect(messageLog(bob.page)).toContainText('found you, bob')

      // the chat runs on a direct connection, and each browser holds its reservation on its own relay only
      for (const [page, peer, own, other] of [[bob.page, alice.peerId, r2, r1], [alice.page, bob.peerId, r1, r2]] as const) {
        await page.getByRole('link', { name: 'Diagnostics' }).click()
        await expect(page.locator(`tr[data-peer="${peer}"]`).filter({ hasText: 'WebRTC' })).toHaveCount(1)
        await expect(ownAddresses(page)).toContainText(`/p2p/${own}/p2p-circuit`)
        await expect(ownAddresses(page)).not.toContainText(`/p2p/${other}/p2p-circuit`)
        // both published where they are; Bob found Alice by looking her up
        await expect(page.locator('[data-stat="published"]')).toHaveText(/^[1-9]\d* \(/)
        if (page === bob.page) await expect(page.locator('[data-stat="lookups"]')).toHaveText(/^[1-9]\d* \([1-9]\d*\)$/)
        await page.goBack()
      }

      // both relays restart and forget every record; browsers make their
      // reservations again and publish where they are, so a newcomer on relay 2 finds Alice
      await first.restart()
      await second.restart()
      await federated(first, second)
      await alice.page.goto('/')
      await waitReachable(alice.page)
      const carol = await openPeer(browser, second.url)
      try {
        const againMs = await chatAcrossRelays(carol, alice, 'hello after the restarts')
        console.log(`[figure] after both relays restarted: friend's link to direct connection: ${againMs} ms`)
        await expect(alice.page.getByRole('link', { name: /hello after the restarts/ })).toBeVisible()
      } finally {
        await carol.context.close()
      }
    } finally {
      await alice.context.close()
      await bob.context.close()
    }
  })

  test('when A\'s relay goes down, A takes a reservation on the other relay and stays reachable by link', async ({ browser, relays: [first, second] }) => {
    await federated(first, second)
    const r2 = (await relayInfo(second)).peerId
    const alice = await openPeer(browser, first.url)
    try {
      await first.stop()
      // waited for as the outcome itself: right after the stop the header may still say
      // Online about the relay that is gone, and the failover takes up to its grace (10 s) and more
      await alice.page.getByRole('link', { name: 'Diagnostics' }).click()
      await expect(ownAddresses(alice.page)).toContainText(`/p2p/${r2}/p2p-circuit`, { timeout: 45_000 })
      await alice.page.goBack()
      // and the header says Online again, on the other relay's reservation
      await expect(alice.page.locator('[data-relay]')).toHaveAttribute('data-relay', 'reserved')

      const dave = await openPeer(browser, second.url)
      try {
        const ms = await chatAcrossRelays(dave, alice, 'hello while your relay is down')
        console.log(`[figure] friend's link while the friend's own relay is down (failover reservation): ${ms} ms`)
      } finally {
        await dave.context.close()
      }
    } finally {
      await alice.context.close()
      await first.start()
    }
  })

  test('when A\'s own relay is back, A moves her reservation back to it from the other relay', async ({ browser, relays: [first, second] }) => {
    await federated(first, second)
    const [r1, r2] = [(await relayInfo(first)).peerId, (await relayInfo(second)).peerId]
    const alice = await openPeer(browser, first.url)
    try {
      await first.stop()
      await alice.page.getByRole('link', { name: 'Diagnostics' }).click()
      await expect(ownAddresses(alice.page)).toContainText(`/p2p/${r2}/p2p-circuit`, { timeout: 45_000 })
      const back = Date.now()
      await first.start()
      // the keeper tries her relay again 15 to 30 s after the failover (HOME_RETRY_MIN_MS, jittered)
      await expect(ownAddresses(alice.page)).toContainText(`/p2p/${r1}/p2p-circuit`, { timeout: 60_000 })
      await expect(ownAddresses(alice.page)).not.toContainText(`/p2p/${r2}/p2p-circuit`)
      console.log(`[figure] own relay back to reservation moved back to it: ${Date.now() - back} ms`)
      await alice.page.goBack()
      await expect(alice.page.locator('[data-relay]')).toHaveText('Online')

      // a friend on her own relay reaches her there again, without a DHT lookup
      const bob = await openPeer(browser, first.url)
      try {
        await bob.page.goto(alice.link)
        await expect(connection(bob.page)).toHaveText('Direct')
        await sendMessage(bob.page, 'welcome home')
        await expectDelivered(bob.page, 'welcome home')
        await bob.page.getByRole('link', { name: 'Diagnostics' }).click()
        await expect(bob.page.locator('[data-stat="lookups"]')).toHaveText('0 (0)')
      } finally {
        await bob.context.close()
      }

      // moving home made libp2p forget what the other relay offers: when hers goes down
      // again, connecting there must tell it anew, and the failover work as the first time
      await first.stop()
      await alice.page.getByRole('link', { name: 'Diagnostics' }).click()
      await expect(ownAddresses(alice.page)).toContainText(`/p2p/${r2}/p2p-circuit`, { timeout: 45_000 })
      await alice.page.goBack()
      await expect(alice.page.locator('[data-relay]')).toHaveText('Online')
    } finally {
      await alice.context.close()
      await first.start()
    }
  })

  test('a peer that published nowhere stays Offline, and the message waits queued', async ({ browser, relays: [first, second] }) => {
    await federated(first, second)
    const bob = await openPeer(browser, second.url)
    try {
      // a valid peer ID nobody uses: the lookup finds no record
      await openFriendLink(bob.page, `${first.url}/p/12D3KooWGRUVh1HLrvwC8CC8aSYRkw3iKPkBzo9oKBPLpHdGRzLc`)
      await expect(connection(bob.page)).toHaveText('Offline')
      await sendMessage(bob.page, 'are you there?')
      await expect(messageLog(bob.page).locator('li.out', { hasText: 'are you there?' })).toHaveAttribute('data-status', 'queued')
    } finally {
      await bob.context.close()
    }
  })
})
