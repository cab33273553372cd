import { expect, messageLog, openPeer, test } from './fixtures.ts'
import type { Locator, Page } from '@playwright/test'

/** A valid peer ID nobody in the test runs: a contact who is not online. */
const AWAY_PEER = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
/** As MAX_TEXT_LENGTH in src/lib/p2p/chat/constants.ts */
const MAX_MESSAGE_LENGTH = 16_000
/** As WINDOW_ROWS and MORE_ROWS in src/lib/ui/MessageList.svelte: rows shown at first, rows each visit to the top brings */
const WINDOW_ROWS = 50
const MORE_ROWS = 200

/** Writes a conversation with `texts` from the peer straight into the app's IndexedDB, oldest first. */
async function storeConversation (page: Page, peer: string, texts: string[]): Promise<void> {
  await page.evaluate(async ({ peer, texts }) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('peerlink')
      req.onsuccess = () => { resolve(req.result) }
      req.onerror = () => { reject(req.error) }
    })
    const tx = db.transaction(['conversations', 'messages'], 'readwrite')
    const start = Date.now() - texts.length * 1000
    texts.forEach((text, i) => {
      const id = (i + 1).toString(16).padStart(32, '0')
      tx.objectStore('messages').put({ peer, direction: 'in', id, text, sentAt: start + i * 1000, storedAt: start + i * 1000, seq: i + 1, status: 'read' })
    })
    tx.objectStore('conversations').put({ peer, createdAt: start, lastMessageAt: start + texts.length * 1000, lastMessageText: texts[texts.length - 1], lastMessageDirection: 'in', unread: 0, nextSeq: 1 })
    await new Promise<void>((resolve, reject) => { tx.oncomplete = () => { resolve() }; tx.onerror = () => { reject(tx.error) } })
    db.close()
  }, { peer, texts })
}

test('a paste longer than a message holds is kept whole, said to be too long, and not sent', async ({ browser, baseURL }) => {
  const alice = await openPeer(browser, baseURL)
  await alice.page.goto(`/p/${AWAY_PEER}`)
  const field = alice.page.getByLabel('Message', { exact: true })
  const send = alice.page.getByRole('button', { name: 'Send', exact: true })
  const long = `${'a long log line '.repeat(1_000)}the end`
  expect(long.length).toBeGreaterThan(MAX_MESSAGE_LENGTH)
  await field.focus()
  // as a paste puts it in: one insertion, which a maxlength would cut short
  await alice.page.keyboard.insertText(long)
  await expect(field).toHaveValue(long)
  await expect(alice.page.getByRole('alert')).toContainText('Too long to send')
  await expect(alice.page.getByText(`${(long.length - MAX_MESSAGE_LENGTH).toLocaleString('en-US')} characters too many`)).toBeVisible()
  await expect(send).toBeDisabled()
  await field.press('Enter')
  await expect(field).toHaveValue(long)
  await expect(messageLog(alice.page).locator('li')).toHaveCount(0)

  // kept across a reload, all of it
  await alice.page.reload()
  await expect(field).toHaveValue(long)

  // shortened to fit, it goes
  await field.fill(long.slice(-MAX_MESSAGE_LENGTH))
  await expect(alice.page.getByRole('alert')).toHaveCount(0)
  await send.click()
  await expect(messageLog(alice.page).locator('li.out .text')).toHaveText(long.slice(-MAX_MESSAGE_LENGTH))
  await expect(field).toHaveValue('')
  await alice.context.close()
})

test('a message of only invisible characters is not sent, as one of only spaces is not', async ({ browser, baseURL }) => {
  const alice = await openPeer(browser, baseURL)
  await alice.page.goto(`/p/${AWAY_PEER}`)
  const field = alice.page.getByLabel('Message', { exact: true })
  const send = alice.page.getByRole('button', { name: 'Send', exact: true })
  // the node runs: a text that shows goes
  await field.fill('x')
  await expect(send).toBeEnabled()
  // zero-width space, a direction isolate around a space, a Hangul filler
  const blank = '\u200B\u2066 \u2069\u3164'
  await field.fill(blank)
  await expect(send).toBeDisabled()
  await field.press('Enter')
  await expect(field).toHaveValue(blank)
  await expect(messageLog(alice.page).locator('li')).toHaveCount(0)
  await alice.context.close()
})

test('a right-to-left message reads right to left, in the list and in the field', async ({ browser, baseURL }) => {
  const alice = await openPeer(browser, baseURL)
  const arabic = 'مرحبا، كيف حالك؟'
  await storeConversation(alice.page, AWAY_PEER, ['hello!', arabic])
  await alice.page.goto(`/p/${AWAY_PEER}`)
  const texts = messageLog(alice.page).locator('li .text')
  await expect(texts.last()).toHaveText(arabic)
  expect(await texts.last().evaluate(e => getComputedStyle(e).direction)).toBe('rtl')
  // an English one stays left to right
  expect(await texts.first().evaluate(e => getComputedStyle(e).direction)).toBe('ltr')
  // and so does the last message as the conversation list shows it
  const preview = alice.page.getByLabel('Conversation list').getByText(arabic, { exact: true })
  expect(await preview.evaluate(e => getComputedStyle(e).direction)).toBe('rtl')
  const field = alice.page.getByLabel('Message', { exact: true })
  await field.fill('שלום!')
  await expect.poll(async () => await field.evaluate(e => e.matches(':dir(rtl)'))).toBe(true)
  await alice.context.close()
})

test('a message shown with only its time gets its date once the day is over, in a page left open', async ({ browser, baseURL }) => {
  const alice = await openPeer(browser, baseURL)
  // the latest 23:58 gone by, so the page's clock never runs ahead of the relay's
  const lateEvening = new Date()
  if (lateEvening.getHours() < 23 || lateEvening.getMinutes() < 58) lateEvening.setDate(lateEvening.getDate() - 1)
  lateEvening.setHours(23, 58, 0, 0)
  await alice.page.clock.install({ time: lateEvening })
  await alice.page.goto('/')
  await storeConversation(alice.page, AWAY_PEER, ['good night'])
  await alice.page.goto(`/p/${AWAY_PEER}`)
  // in the thread and in the conversation list beside it
  const times = [messageLog(alice.page).locator('li time'), alice.page.getByLabel('Conversation list').locator('time')]
  for (const time of times) await expect(time).toHaveText(/^\d\d:\d\d( [AP]M)?$/)
  // the node runs: the list was read again as it started, and stays as it is now
  await expect(alice.page.locator('[data-relay]')).toHaveText('Online')
  await alice.page.clock.fastForward('05:00')
  // yesterday's now: the date says so
  for (const time of times) await expect(time).toHaveText(/[A-Z][a-z]{2}/)
  await alice.context.close()
})

/** How long /relay.json is held back, so the page's node stays starting: well inside the page's own time limit. */
const RELAY_INFO_HOLD_MS = 4_000

test('a returning user sees the stored history at once, before the node has started', async ({ browser, baseURL }) => {
  const alice = await openPeer(browser, baseURL)
  await storeConversation(alice.page, AWAY_PEER, ['the first thing said', 'the last thing said'])
  // the node's start waits for the relay's description: it is held back from now on
  let released = false
  await alice.context.route('**/relay.json', async route => {
    await new Promise(resolve => setTimeout(resolve, RELAY_INFO_HOLD_MS))
    released = true
    await route.continue().catch(() => {})
  })
  await alice.page.goto(`/p/${AWAY_PEER}`)
  await expect(messageLog(alice.page)).toContainText('the last thing said')
  expect(released).toBe(false)
  await expect(alice.page.locator('[data-relay]')).not.toHaveAttribute('data-relay', 'reserved')
  await alice.context.close()
})

/** Where a row shows, in px below the top of the list's scroller, seen over `frames` frames. */
async function placeOver (row: Locator, frames: number): Promise<number[]> {
  return await row.evaluate(async (e, frames) => {
    const tops: number[] = []
    for (let i = 0; i < frames; i++) {
      tops.push(Math.round(e.getBoundingClientRect().top - (e.closest('.scroller')?.getBoundingClientRect().top ?? 0)))
      await new Promise(requestAnimationFrame)
    }
    return tops
  }, frames)
}

test('older rows coming in above keep the rows the user reads where they are', async ({ browser, baseURL }) => {
  const alice = await openPeer(browser, baseURL)
  await storeConversation(alice.page, AWAY_PEER, Array.from({ length: 300 }, (_, i) => `row ${i}`))
  await alice.page.goto(`/p/${AWAY_PEER}`)
  const rows = messageLog(alice.page).locator('li')
  await expect(rows.last()).toContainText('row 299')
  await expect(rows.last()).toBeInViewport()
  const count = await rows.count()
  // up to the very top of what shows, where the older rows come in
  const top = rows.first()
  const id = await top.getAttribute('data-id') ?? ''
  // where it will show once scrolled to the top: its place in the content, taken before
  const [place] = await placeOver(top, 1)
  const before = place + await top.evaluate(e => e.closest('.scroller')?.scrollTop ?? 0)
  await alice.page.evaluate(() => { document.querySelector('.scroller')?.scrollTo({ top: 0 }) })
  await expect.poll(async () => await rows.count()).toBeGreaterThan(count)
  const widened = await rows.count()
  // seen over a few frames: it stays where it was, no jump to the oldest rows and back
  for (const t of await placeOver(rows.and(alice.page.locator(`[data-id="${id}"]`)), 5)) expect(t).toBeCloseTo(before, -1)
  // and the list does not take keeping the place for a new visit to the top
  expect(await rows.count()).toBe(widened)
  await alice.context.close()
})

test('"Show earlier messages" keeps the rows the user reads where they are too, one batch a press', async ({ browser, baseURL }) => {
  const alice = await openPeer(browser, baseURL)
  await storeConversation(alice.page, AWAY_PEER, Array.from({ length: 700 }, (_, i) => `row ${i}`))
  await alice.page.goto(`/p/${AWAY_PEER}`)
  const rows = messageLog(alice.page).locator('li')
  await expect(rows.last()).toContainText('row 699')
  // the conversation opens at its newest message; from there, reaching the top brings the first batch in
  await expect(rows.last()).toBeInViewport()
  await alice.page.evaluate(() => { document.querySelector('.scroller')?.scrollTo({ top: 0 }) })
  await expect.poll(async () => await rows.count()).toBe(WINDOW_ROWS + MORE_ROWS)
  const count = await rows.count()
  // the button is now above the rows that came in; bringing it back into view
  // (as pressing it takes) does not load on its own
  const earlier = alice.page.getByRole('button', { name: /^Show earlier messages/ })
  await earlier.scrollIntoViewIfNeeded()
  const top = rows.first()
  const id = await top.getAttribute('data-id') ?? ''
  const [before] = await placeOver(top, 1)
  expect(await rows.count()).toBe(count)
  await earlier.click()
  await expect.poll(async () => await rows.count()).toBeGreaterThan(count)
  for (const t of await placeOver(rows.and(alice.page.locator(`[data-id="${id}"]`)), 5)) expect(t).toBeCloseTo(before, -1)
  // one batch for one press: the rows that came in are not taken for the reader going up
  expect(await rows.count()).toBe(count + MORE_ROWS)
  // and the button is there again above them, for the next press
  await earlier.click()
  await expect.poll(async () => await rows.count()).toBe(count + 2 * MORE_ROWS)
  await alice.context.close()
})

test('tabbing to "Show earlier messages" brings it into view to be pressed, and Enter brings older rows in above', async ({ browser, baseURL }) => {
  const alice = await openPeer(browser, baseURL)
  await storeConversation(alice.page, AWAY_PEER, Array.from({ length: 300 }, (_, i) => `row ${i}`))
  await alice.page.goto(`/p/${AWAY_PEER}`)
  const rows = messageLog(alice.page).locator('li')
  await expect(rows.last()).toContainText('row 299')
  // as a reader would, only once the list has scrolled itself to the newest row: a focus before that is undone by it
  await expect(rows.last()).toBeInViewport()
  const earlier = alice.page.getByRole('button', { name: /^Show earlier messages/ })
  await earlier.focus()
  await expect(earlier).toBeInViewport()
  const top = rows.first()
  const id = await top.getAttribute('data-id') ?? ''
  // taken a few frames after the focus scrolled it into view: nothing came in meanwhile
  const [before] = (await placeOver(top, 3)).slice(-1)
  expect(await rows.count()).toBe(WINDOW_ROWS)
  await alice.page.keyboard.press('Enter')
  await expect.poll(async () => await rows.count()).toBe(WINDOW_ROWS + MORE_ROWS)
  for (const t of await placeOver(rows.and(alice.page.locator(`[data-id="${id}"]`)), 5)) expect(t).toBeCloseTo(before, -1)
  await expect(earlier).toBeFocused()
  await alice.context.close()
})
