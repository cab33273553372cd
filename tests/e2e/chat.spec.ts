import { connection, expect, messageLog, openPeer, sendMessage, test, waitReachable, type Peer, twoPeopleEachTest } from './fixtures.ts'
import type { Page } from '@playwright/test'
import { MAX_MESSAGE_LENGTH } from '../../src/lib/state/limits.ts'

/** Opens the diagnostics page in-app (the node keeps running) and returns the row of the peer's direct connection. */
async function directConnectionRow (page: Page, peerId: string) {
  await page.getByRole('link', { name: 'Diagnostics' }).click()
  const row = page.locator(`tr[data-peer="${peerId}"]`).filter({ hasText: 'WebRTC' })
  await expect(row).toHaveCount(1)
  return row
}

/** A valid peer ID nobody in the test runs: a contact who is not online. */
const AWAY_PEER = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

/** Longer than libp2p's own relay re-dial attempts take to give up, shorter than the keeper's first back-off steps add up to. */
const RELAY_OUTAGE_MS = 3_000
/** A whole back-off step after the relay is back (up to 16 s by then), and the reservation after it. */
const RELAY_BACK_TIMEOUT_MS = 45_000

async function expectDelivered (page: Page, text: string): Promise<void> {
  const item = messageLog(page).locator('li.out', { hasText: text })
  await expect(item).toHaveAttribute('data-status', /delivered|read/)
}

test.describe('two browsers chat over a direct WebRTC connection', () => {
  let alice: Peer
  let bob: Peer

  twoPeopleEachTest((a, b) => { alice = a; bob = b })

  test('B opens A\'s link, they chat both ways over a direct connection that survives the relay going away', async ({ relay }) => {
    expect(alice.peerId).not.toBe(bob.peerId)
    const opened = Date.now()
    await bob.page.goto(alice.link)
    await expect(connection(bob.page)).toHaveText('Direct')
    console.log(`[figure] link open to direct connection: ${Date.now() - opened} ms`)

    await sendMessage(bob.page, 'hello from bob')
    await expectDelivered(bob.page, 'hello from bob')

    // Alice sees the new conversation on her home page and opens it
    const entry = alice.page.getByRole('link', { name: /hello from bob/ })
    await expect(entry).toBeVisible()
    await entry.click()
    await expect(messageLog(alice.page)).toContainText('hello from bob')
    await expect(connection(alice.page)).toHaveText('Direct')
    await sendMessage(alice.page, 'hi bob, alice here')
    await expectDelivered(alice.page, 'hi bob, alice here')
    await expect(messageLog(bob.page)).toContainText('hi bob, alice here')

    // the connection is made by the WebRTC transport and carries no relay limits
    for (const [page, other] of [[bob.page, alice.peerId], [alice.page, bob.peerId]] as const) {
      const row = await directConnectionRow(page, other)
      await expect(row).toContainText('/webrtc')
      await expect(row.locator('td').nth(5)).toHaveText('none')
      await page.goBack()
      await expect(connection(page)).toHaveText('Direct')
    }

    // with the relay gone, the direct connection keeps carrying the chat
    await relay.stop()
    await sendMessage(bob.page, 'still here without the relay')
    await expectDelivered(bob.page, 'still here without the relay')
    await expect(messageLog(alice.page)).toContainText('still here without the relay')
    await sendMessage(alice.page, 'me too')
    await expectDelivered(alice.page, 'me too')
    await expect(messageLog(bob.page)).toContainText('me too')
    // the longest message there is: its frame is a large write, which goes out
    // as a small header and its bytes uncopied (patches/@libp2p+webrtc)
    const longest = Array.from({ length: MAX_MESSAGE_LENGTH }, (_, i) => String.fromCharCode(97 + (i * 7) % 26)).join('')
    await sendMessage(bob.page, longest)
    await expectDelivered(bob.page, longest.slice(0, 100))
    await expect(messageLog(alice.page).locator('li.in .text').last()).toHaveText(longest)
    await expect(connection(bob.page)).toHaveText('Direct')
  })

  test('after the relay restarts, browsers make their reservations again and can be reached', async ({ browser, baseURL, relay }) => {
    await relay.stop()
    // both browsers notice; the outage lasts long enough that libp2p's own
    // attempts to get the relay back fail, as in a real outage
    await expect(alice.page.locator('[data-relay]')).toHaveAttribute('data-relay', 'offline')
    await expect(bob.page.locator('[data-relay]')).toHaveAttribute('data-relay', 'offline')
    await alice.page.waitForTimeout(RELAY_OUTAGE_MS)
    await relay.start()
    // each page tries again on its own back-off (RelayKeeper): an attempt that
    // came just before the relay was up is followed by one 8 to 16 s later
    await waitReachable(alice.page, RELAY_BACK_TIMEOUT_MS)
    await waitReachable(bob.page, RELAY_BACK_TIMEOUT_MS)

    // someone new reaches Alice through the restarted relay, by her link alone
    const carol = await openPeer(browser, baseURL)
    try {
      await carol.page.goto(alice.link)
      await expect(connection(carol.page)).toHaveText('Direct')
      await sendMessage(carol.page, 'found you after the restart')
      await expectDelivered(carol.page, 'found you after the restart')
      await expect(alice.page.getByRole('link', { name: /found you after the restart/ })).toBeVisible()
    } finally {
      await carol.context.close()
    }
  })

  test('after a reload B keeps the same link and sees the history', async () => {
    await bob.page.goto(alice.link)
    await expect(connection(bob.page)).toHaveText('Direct')
    await sendMessage(bob.page, 'remember me')
    await expectDelivered(bob.page, 'remember me')

    await bob.page.goto('/')
    await waitReachable(bob.page)
    await expect(bob.page.getByLabel('Your link', { exact: true })).toHaveValue(bob.link)

    await bob.page.reload()
    await waitReachable(bob.page)
    await expect(bob.page.getByLabel('Your link', { exact: true })).toHaveValue(bob.link)
    await bob.page.getByRole('link', { name: /remember me/ }).click()
    await expect(messageLog(bob.page)).toContainText('remember me')
    await expectDelivered(bob.page, 'remember me')

    // Alice's side kept it too, across her own reload
    await alice.page.reload()
    await waitReachable(alice.page)
    await alice.page.getByRole('link', { name: /remember me/ }).click()
    await expect(messageLog(alice.page)).toContainText('remember me')
  })

  test('text typed and not sent is kept per conversation, across a reload and a visit elsewhere, until sent', async () => {
    const field = bob.page.getByLabel('Message', { exact: true })
    await bob.page.goto(alice.link)
    await expect(connection(bob.page)).toHaveText('Direct')
    await sendMessage(bob.page, 'first, sent')
    await field.fill('half a thought')
    await bob.page.reload()
    await expect(field).toHaveValue('half a thought')

    // another conversation (a contact who is not online) has its own
    await bob.page.goto(`/p/${AWAY_PEER}`)
    await expect(field).toHaveValue('')
    await field.fill('for later')
    // back in the app, without loading the page: the list shows each draft in place of the last
    // message, and each field shows its own conversation's text
    await bob.page.getByRole('link', { name: 'Back to conversations' }).click()
    const awayEntry = bob.page.getByRole('link', { name: /Draft: for later/ })
    await expect(awayEntry).toHaveAttribute('href', `/p/${AWAY_PEER}`)
    // a conversation with only a draft still shows whose it is (a zero-wide name is not visible)
    await expect(awayEntry.getByText(`Peer …${AWAY_PEER.slice(-8)}`)).toBeVisible()
    await bob.page.getByRole('link', { name: /Draft: half a thought/ }).click()
    await expect(field).toHaveValue('half a thought')
    await bob.page.getByRole('button', { name: 'Send', exact: true }).click()
    await expectDelivered(bob.page, 'half a thought')
    await bob.page.getByRole('link', { name: 'Back to conversations' }).click()
    await expect(bob.page.getByRole('link', { name: /You: half a thought/ })).toBeVisible()
    await bob.page.getByRole('link', { name: /You: half a thought/ }).click()
    // the click navigates in the page: reloading before it has would reload the list
    await expect(bob.page).toHaveURL(new RegExp(`/p/${alice.peerId}$`))
    await bob.page.reload()
    await expect(messageLog(bob.page)).toContainText('half a thought')
    await expect(field).toHaveValue('')
    await bob.page.goto(`/p/${AWAY_PEER}`)
    await expect(field).toHaveValue('for later')
  })

  test('names travel in profile frames, and typing shows on the other side', async () => {
    await alice.page.getByLabel('Your name').fill('Alice')
    await alice.page.getByRole('button', { name: 'Save name' }).click()
    await expect(alice.page.getByRole('button', { name: 'Save name' })).toBeDisabled()
    // said, and the keyboard stays where it was
    await expect(alice.page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible()
    await expect(alice.page.getByLabel('Your name')).toBeFocused()
    await bob.page.goto(alice.link)
    await expect(connection(bob.page)).toHaveText('Direct')
    // with the end of her ID, which no other peer can take along with her name, and which is read out too
    const aliceId = `…${alice.peerId.slice(-8)}`
    await expect(bob.page.getByRole('heading', { level: 1 })).toHaveText(`Alice ${aliceId}`)
    await expect(bob.page.getByRole('heading', { level: 1, name: `Alice ${aliceId}` })).toBeVisible()
    // the conversation's title says whose it is: it is what a screen reader announces on arrival
    await expect(bob.page).toHaveTitle(`\u2068Alice\u2069 (${aliceId}) – Peerlink`)

    await sendMessage(bob.page, 'ping')
    await alice.page.getByRole('link', { name: /ping/ }).click()
    await expect(connection(alice.page)).toHaveText('Direct')
    await bob.page.getByLabel('Message', { exact: true }).pressSequentially('typing a rep')
    await expect(alice.page.getByText(/is typing…/)).toBeVisible()
    await bob.page.getByLabel('Message', { exact: true }).press('Enter')
    await expect(alice.page.getByText(/is typing…/)).toHaveCount(0)
  })

  test('a message with HTML and script in it is shown as literal text and runs nothing', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold?</b>'
    await bob.page.goto(alice.link)
    await expect(connection(bob.page)).toHaveText('Direct')
    await sendMessage(bob.page, hostile)
    await expectDelivered(bob.page, 'bold?')

    await alice.page.getByRole('link', { name: /bold\?/ }).click()
    const log = messageLog(alice.page)
    await expect(log.locator('li.in .text')).toHaveText(hostile)
    await expect(log.locator('img, script, b')).toHaveCount(0)
    expect(await alice.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(await bob.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
  })

  test('a malformed link or a link to yourself shows a clear error and the app keeps working', async () => {
    await bob.page.goto('/p/not-a-peer-id')
    await expect(bob.page.getByRole('alert')).toContainText('not valid')
    await bob.page.goto('/p/12D3KooWnotreallyapeeridatall0000000000000000000000')
    await expect(bob.page.getByRole('alert')).toContainText('not valid')
    // cut inside an escape: a path that does not even decode
    await bob.page.goto(`${bob.link.slice(0, -4)}%E0`)
    await expect(bob.page.getByRole('alert')).toContainText('not valid')

    await bob.page.goto(bob.link)
    await expect(bob.page.getByRole('alert')).toContainText('your own link')

    await bob.page.getByRole('link', { name: 'Go to your conversations' }).click()
    await waitReachable(bob.page)

    // pasting a bad link on the home page is refused there too
    await bob.page.getByLabel('Friend\'s link').fill('https://example.invalid/p/nope')
    await bob.page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(bob.page.getByRole('alert')).toContainText('not valid')
    // text that is no link at all: said in the page, not by the browser's own bubble
    await bob.page.getByLabel('Friend\'s link').fill('Open this link to chat with me on Peerlink:')
    await bob.page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(bob.page.getByRole('alert')).toContainText('not a Peerlink link')

    // and a good one still works afterwards, also as a whole shared message with words around it
    await bob.page.getByLabel('Friend\'s link').fill(`Open this link to chat with me on Peerlink: ${alice.link}`)
    await bob.page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(connection(bob.page)).toHaveText('Direct')
    await sendMessage(bob.page, 'after the bad links')
    await expectDelivered(bob.page, 'after the bad links')
  })
})

/** More than a conversation page loads at first (HISTORY_PAGE, 2,000 in thread.svelte.ts): the rest stay in storage until asked for. */
const LONG_THREAD = 2_100

test('a thread longer than one page of history shows all of it, older pages coming from storage as the user goes up', async ({ browser, baseURL }) => {
  const alice = await openPeer(browser, baseURL)
  // written straight into her IndexedDB, in the app's schema: sending 2,100 messages would only make the test slow
  await alice.page.evaluate(async ({ peer, count }) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('peerlink')
      req.onsuccess = () => { resolve(req.result) }
      req.onerror = () => { reject(req.error) }
    })
    const tx = db.transaction(['conversations', 'messages'], 'readwrite')
    const start = Date.now() - count * 1000
    for (let i = 0; i < count; i++) {
      const direction = i % 2 === 0 ? 'in' : 'out'
      // ids in the opposite order to time: the thread must follow send times, not ids
      const id = (count - i).toString(16).padStart(32, '0')
      tx.objectStore('messages').put({ peer, direction, id, text: `history ${i}`, sentAt: start + i * 1000, storedAt: start + i * 1000, seq: Math.floor(i / 2) + 1, status: direction === 'in' ? 'read' : 'delivered' })
    }
    tx.objectStore('conversations').put({ peer, createdAt: start, lastMessageAt: start + (count - 1) * 1000, lastMessageText: `history ${count - 1}`, lastMessageDirection: 'out', unread: 0, nextSeq: count / 2 + 1 })
    await new Promise<void>((resolve, reject) => { tx.oncomplete = () => { resolve() }; tx.onerror = () => { reject(tx.error) } })
    db.close()
  }, { peer: AWAY_PEER, count: LONG_THREAD })
  await alice.page.goto(`/p/${AWAY_PEER}`)
  const rows = messageLog(alice.page).locator('li')
  await expect(rows.last()).toContainText(`history ${LONG_THREAD - 1}`)
  // the browser takes the rows that go in into the accessibility tree at its
  // next rendering: the log must be quiet then, or it reads the history out
  await alice.page.evaluate(() => {
    const log = document.querySelector('[role="log"]')
    const heard: string[] = []
    Object.assign(window, { __heard: heard })
    new MutationObserver(records => {
      const rows = records.reduce((n, r) => n + [...r.addedNodes].filter(node => node.nodeName === 'LI').length, 0)
      if (rows > 0) requestAnimationFrame(() => { heard.push(`${rows} rows in while aria-live=${log?.getAttribute('aria-live') ?? ''}`) })
    }).observe(log as Node, { childList: true })
  })
  const earlier = alice.page.getByRole('button', { name: /^Show earlier messages/ })
  while (await earlier.isVisible()) {
    const before = await rows.count()
    await earlier.click()
    await expect.poll(async () => await rows.count()).toBeGreaterThan(before)
  }
  expect(await rows.count()).toBe(LONG_THREAD)
  await expect(rows.first()).toContainText('history 0')
  // in order all the way, across the page boundary
  const texts = await messageLog(alice.page).locator('li .text').allTextContents()
  expect(texts).toEqual(Array.from({ length: LONG_THREAD }, (_, i) => `history ${i}`))
  const heard = await alice.page.evaluate(() => (window as unknown as { __heard: string[] }).__heard)
  expect(heard.length).toBeGreaterThan(0)
  expect(heard.filter(h => !h.endsWith('=off'))).toEqual([])
  // and what comes next is news again
  await expect(messageLog(alice.page)).toHaveAttribute('aria-live', 'polite')
  await alice.context.close()
})
