import { connection, expect, messageLog, sendMessage, test, waitReachable, type Peer, twoPeopleEachTest } from './fixtures.ts'
import type { Page } from '@playwright/test'
import { storedMessages as stored } from './stored.ts'

/** Messages each side sends per round of the chaos test; 8 rounds x 2 sides x 64 = 1,024 messages. */
const PER_ROUND = 64
const CHAOS: Array<'relay' | 'kill-alice' | 'kill-bob' | 'reload-alice' | 'reload-bob'> = [
  'relay', 'kill-bob', 'reload-alice', 'kill-alice', 'relay', 'reload-bob', 'kill-bob', 'relay'
]

/**
 * Types and sends `count` messages through the composer from inside the page
 * (far faster than one Playwright round trip each), then waits until the last
 * one is stored and shown: from then on the app is responsible for it.
 */
async function burst (page: Page, prefix: string, count: number): Promise<void> {
  await page.getByLabel('Message', { exact: true }).waitFor()
  await page.evaluate(async ({ prefix, count }) => {
    const field = document.querySelector<HTMLTextAreaElement>('#composer-text')
    if (field?.form == null) throw new Error('no composer')
    for (let i = 0; i < count; i++) {
      field.value = `${prefix} ${i}`
      field.dispatchEvent(new Event('input', { bubbles: true }))
      field.form.requestSubmit()
      await new Promise(resolve => setTimeout(resolve, 0))
    }
  }, { prefix, count })
  await expect(messageLog(page).locator('li.out .text', { hasText: new RegExp(`^${prefix} ${count - 1}$`) })).toHaveCount(1)
}

/** A direct connection made again after a reload or a relay restart, on two busy cores. */
const DIRECT_AGAIN_TIMEOUT_MS = 60_000

/** Closes the direct connection from the diagnostics page, in-app, as a network failure would. */
async function killConnection (page: Page, peer: string): Promise<void> {
  // after a reload or a relay restart the direct connection may still be on its way: a kill needs one to kill
  await expect(connection(page)).toHaveText('Direct', { timeout: DIRECT_AGAIN_TIMEOUT_MS })
  await page.getByRole('link', { name: 'Diagnostics' }).click()
  const row = page.locator(`tr[data-peer="${peer}"]`).filter({ hasText: 'WebRTC' })
  await row.first().getByRole('button', { name: 'Close' }).click()
  await page.goBack()
}

/**
 * A long thread shows its newest messages; "Show earlier messages" brings
 * older ones in until the whole thread is there.
 */
async function showAll (page: Page, total: number): Promise<void> {
  const rows = messageLog(page).locator('li')
  const earlier = page.getByRole('button', { name: /^Show earlier messages/ })
  await expect.poll(async () => await rows.count()).toBeGreaterThan(0)
  expect(await rows.count()).toBeLessThan(total)
  while (await earlier.isVisible()) {
    const before = await rows.count()
    await earlier.click()
    await expect.poll(async () => await rows.count()).toBeGreaterThan(before)
  }
}

async function openConversation (page: Page, peer: string): Promise<void> {
  await page.goto(`/p/${peer}`)
  await expect(messageLog(page)).toBeVisible()
}

async function stat (page: Page, name: string): Promise<number> {
  return Number(await page.locator(`[data-stat="${name}"]`).textContent())
}

test.describe('delivery never loses a message', () => {
  let alice: Peer
  let bob: Peer

  twoPeopleEachTest((a, b) => { alice = a; bob = b })

  test('chaos: 1,024 messages both ways through relay restarts, reloads and killed connections arrive exactly once, in the same order', async ({ relay }) => {
    test.setTimeout(300_000)
    await openConversation(bob.page, alice.peerId)
    await openConversation(alice.page, bob.peerId)
    await expect(connection(alice.page)).toHaveText('Direct')

    let total = 0
    let lastChaos = Date.now()
    for (const [round, action] of CHAOS.entries()) {
      const sending = Promise.all([burst(alice.page, `a${round}`, PER_ROUND), burst(bob.page, `b${round}`, PER_ROUND)])
      total += 2 * PER_ROUND
      switch (action) {
        case 'relay':
          await relay.restart()
          await sending
          break
        // the kill comes right after the burst is stored, while most of it is
        // still on the wire or waiting for acks
        case 'kill-alice':
          await sending
          await killConnection(alice.page, bob.peerId)
          break
        case 'kill-bob':
          await sending
          await killConnection(bob.page, alice.peerId)
          break
        case 'reload-alice':
          await sending
          await alice.page.reload()
          break
        case 'reload-bob':
          await sending
          await bob.page.reload()
          break
      }
      lastChaos = Date.now()
    }

    // converge: every message on both sides, each once, all delivered
    for (const [page, other] of [[alice.page, bob.peerId], [bob.page, alice.peerId]] as const) {
      await expect.poll(async () => {
        const messages = await stored(page, other)
        return messages.filter(m => m.direction === 'in' || m.status === 'delivered' || m.status === 'read').length
      }, { timeout: 120_000, intervals: [250] }).toBe(total)
    }
    const convergence = Date.now() - lastChaos

    const atAlice = await stored(alice.page, bob.peerId)
    const atBob = await stored(bob.page, alice.peerId)
    expect(atAlice).toHaveLength(total)
    expect(new Set(atAlice.map(m => `${m.direction}${m.id}`)).size).toBe(total)
    const byId = (list: typeof atAlice): string[] => list.map(m => `${m.id} ${m.text}`).sort()
    expect(byId(atAlice)).toEqual(byId(atBob))
    // what Alice sent is 'out' at her side and 'in' at Bob's, and the other way round
    for (const m of atAlice) {
      expect(m.text.startsWith(m.direction === 'out' ? 'a' : 'b')).toBe(true)
    }

    // the UI shows them all, once, in the same order on both sides (the
    // newest first; older ones as the user asks for them)
    await openConversation(alice.page, bob.peerId)
    await openConversation(bob.page, alice.peerId)
    const opening = Date.now()
    await showAll(alice.page, total)
    await showAll(bob.page, total)
    const opened = Date.now() - opening
    const order = async (page: Page): Promise<string[]> => await messageLog(page).locator('li').evaluateAll(items => items.map(li => li.getAttribute('data-id') ?? ''))
    await expect.poll(async () => (await order(alice.page)).length).toBe(total)
    await expect.poll(async () => (await order(bob.page)).length).toBe(total)
    expect(await order(alice.page)).toEqual(await order(bob.page))
    await expect(messageLog(alice.page).locator('li.out:not([data-status="delivered"]):not([data-status="read"])')).toHaveCount(0)

    await bob.page.getByRole('link', { name: 'Diagnostics' }).click()
    await alice.page.getByRole('link', { name: 'Diagnostics' }).click()
    const figures = {
      redials: await stat(alice.page, 'redials') + await stat(bob.page, 'redials'),
      resends: await stat(alice.page, 'resends') + await stat(bob.page, 'resends'),
      duplicates: await stat(alice.page, 'duplicates') + await stat(bob.page, 'duplicates')
    }
    console.log(`[figure] chaos: ${total} messages, ${figures.redials} redials, ${figures.resends} resends and ${figures.duplicates} copies dropped since the last reloads, converged ${convergence} ms after the last fault; both threads opened in full with "Show earlier messages" in ${opened} ms`)
  })

  test('a message sent after the relay restarts still arrives', async ({ relay }) => {
    await openConversation(bob.page, alice.peerId)
    await expect(connection(bob.page)).toHaveText('Direct')
    await relay.restart()
    await waitReachable(alice.page)
    await sendMessage(bob.page, 'after the restart')
    await expect(messageLog(bob.page).locator('li.out', { hasText: 'after the restart' })).toHaveAttribute('data-status', 'delivered')
  })

  test('a message that arrives while storage is full is not acked, the user is told, and it arrives once there is room', async () => {
    await openConversation(bob.page, alice.peerId)
    await expect(connection(bob.page)).toHaveText('Direct')
    await sendMessage(bob.page, 'before')
    await expect(messageLog(bob.page).locator('li.out', { hasText: 'before' })).toHaveAttribute('data-status', 'delivered')
    // Alice stays on her home page (the conversation is not open) and her disk fills up
    await alice.page.evaluate(() => {
      const full = (): never => { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError') }
      const saved = { add: IDBObjectStore.prototype.add, put: IDBObjectStore.prototype.put }
      IDBObjectStore.prototype.add = full
      IDBObjectStore.prototype.put = full
      Object.assign(window, { freeSpace: () => { Object.assign(IDBObjectStore.prototype, saved) } })
    })
    await sendMessage(bob.page, 'while you were full')
    const problem = alice.page.getByRole('alert').filter({ hasText: 'In your conversation with' })
    await expect(problem).toContainText('Storage is full')
    await expect(problem.getByRole('link')).toHaveAttribute('href', `/p/${bob.peerId}`)
    await expect(messageLog(bob.page).locator('li.out', { hasText: 'while you were full' })).not.toHaveAttribute('data-status', /delivered|read/)

    await alice.page.evaluate(() => { (window as unknown as { freeSpace: () => void }).freeSpace() })
    await problem.getByRole('button', { name: 'Dismiss' }).click()
    await expect(problem).toHaveCount(0)
    // not acked, so Bob sends it again; nothing was lost
    await expect(messageLog(bob.page).locator('li.out', { hasText: 'while you were full' })).toHaveAttribute('data-status', 'delivered')
    await alice.page.getByRole('link', { name: /while you were full/ }).click()
    await expect(messageLog(alice.page).locator('li.in .text', { hasText: /^while you were full$/ })).toHaveCount(1)
  })

  test('messages queued while the peer is away survive a reload of the sender and are delivered when the peer is back', async () => {
    const alicePeer = alice.peerId
    await alice.page.close()
    await openConversation(bob.page, alicePeer)
    await sendMessage(bob.page, 'are you there?')
    await sendMessage(bob.page, 'second try')
    const queued = messageLog(bob.page).locator('li.out')
    await expect(queued).toHaveCount(2)
    await expect(queued.first()).toHaveAttribute('data-status', 'queued')
    await expect(connection(bob.page)).toHaveText('Offline')

    await bob.page.reload()
    await expect(messageLog(bob.page).locator('li.out[data-status="queued"]')).toHaveCount(2)

    // Alice comes back (same browser profile, so the same identity) on her home page
    alice.page = await alice.context.newPage()
    await alice.page.goto('/')
    await waitReachable(alice.page)
    await expect(messageLog(bob.page).locator('li.out[data-status="delivered"]')).toHaveCount(2, { timeout: 45_000 })
    await expect(alice.page.getByRole('link', { name: /second try/ })).toBeVisible()
  })

  test('two tabs of one profile run one node: the second waits, and takes over when the first closes', async () => {
    const second = await alice.context.newPage()
    await second.goto('/')
    await expect(second.getByRole('status').filter({ hasText: 'open in another tab' })).toBeVisible()
    await expect(second.getByRole('button', { name: 'Use Peerlink here' })).toBeVisible()

    await alice.page.close()
    await waitReachable(second)
    await expect(second.getByRole('textbox', { name: 'Your link' })).toHaveValue(alice.link)

    // and it is the one peers reach now
    await bob.page.goto(alice.link)
    await expect(connection(bob.page)).toHaveText('Direct')
    await sendMessage(bob.page, 'which tab?')
    await expect(second.getByRole('link', { name: /which tab\?/ })).toBeVisible()
    alice.page = second
  })

  test('"Use Peerlink here" takes the node over from the other tab, which says so', async () => {
    // the first tab has a conversation open, connected
    await alice.page.goto(bob.link)
    await expect(connection(alice.page)).toHaveText('Direct')
    const second = await alice.context.newPage()
    await second.goto('/')
    await second.getByRole('button', { name: 'Use Peerlink here' }).click()
    await waitReachable(second)
    await expect(alice.page.getByRole('status').filter({ hasText: 'running in another tab' })).toBeVisible()
    // its node is stopped: the indicator must not go on saying Direct
    await expect(connection(alice.page)).toHaveText('Offline')
    await expect(second.getByRole('textbox', { name: 'Your link' })).toHaveValue(alice.link)
  })

  test('with three tabs, "Use Peerlink here" runs the node in the tab it was clicked in, not in another one waiting', async () => {
    const waiting = await alice.context.newPage()
    await waiting.goto('/')
    const chosen = await alice.context.newPage()
    await chosen.goto('/')
    await expect(chosen.getByRole('button', { name: 'Use Peerlink here' })).toBeVisible()
    await expect(waiting.getByRole('button', { name: 'Use Peerlink here' })).toBeVisible()
    await chosen.getByRole('button', { name: 'Use Peerlink here' }).click()
    await waitReachable(chosen)
    // the tab that only waited stays in standby (its lock request was first in line)
    await expect(waiting.getByRole('button', { name: 'Use Peerlink here' })).toBeVisible()
    await expect(waiting.locator('[data-relay]')).toHaveText('Open in another tab')
    await waiting.close()
  })
})
