/**
 * 2. Message latency through the real app: typed on one side, until it is
 * rendered on the other (which stores it before it renders it), one at a
 * time; then a burst sent as fast as the composer takes it, until every
 * message is rendered on the receiver and shown delivered on the sender
 * (both sides have stored it). The floor is in transport.ts.
 */
import type { Browser, Page } from 'playwright-core'
import { profilePages } from './profile.ts'
import { freshContext, observed, openOwner, sendTexts, waitComposer, waitObserved, STEP_TIMEOUT_MS } from './app.ts'

export interface MessageFigures {
  /** send on B to rendered on A, ms */
  latency: number[]
  burst: { count: number, sent: number, rendered: number, delivered: number, ms: number, complete: boolean }
  failures: string[]
}

/** How often the driver looks at the burst's progress; the times themselves come from the pages. */
const BURST_POLL_MS = 250

async function timeOrigin (page: Page): Promise<number> {
  return await page.evaluate(() => performance.timeOrigin)
}

async function inAt (page: Page, text: string): Promise<number> {
  const handle = await page.waitForFunction(t => window.__benchObserved?.inAt[t] ?? false, text, { timeout: STEP_TIMEOUT_MS, polling: 5 })
  return await handle.jsonValue() as number
}

export async function messageLatency (browser: Browser, baseURL: string, singles: number, burst: number, burstLimitMs: number): Promise<MessageFigures> {
  const failures: string[] = []
  const alice = await openOwner(browser, baseURL)
  const bobContext = await freshContext(browser, baseURL)
  try {
    const bob = await bobContext.newPage()
    await bob.goto(alice.link)
    await waitComposer(bob)
    await sendTexts(bob, ['hello'])
    await waitObserved(bob, 'delivered')
    // Alice opens the conversation in-app (a full page load would restart her node)
    await alice.page.locator('a[href^="/p/"]').first().click()
    await waitComposer(alice.page)
    await waitObserved(alice.page, 'direct')

    const bobOrigin = await timeOrigin(bob)
    const latency: number[] = []
    for (let i = 0; i < singles; i++) {
      const text = `latency ${i}`
      try {
        const sent = bobOrigin + await sendTexts(bob, [text])
        latency.push(await inAt(alice.page, text) - sent)
      } catch (err) {
        failures.push(`single ${i}: ${(err as Error).message.split('\n')[0]}`)
      }
    }
    return { latency, burst: await runBurst(alice.page, bob, burst, burstLimitMs), failures }
  } finally {
    await bobContext.close()
    await alice.context.close()
  }
}

async function runBurst (receiver: Page, sender: Page, count: number, limitMs: number): Promise<MessageFigures['burst']> {
  await receiver.evaluate(() => { if (window.__benchObserved != null) window.__benchObserved.trackTexts = false })
  const before = { in: (await observed(receiver)).inCount, delivered: (await observed(sender)).deliveredCount }
  const senderOrigin = await timeOrigin(sender)
  const receiverOrigin = await timeOrigin(receiver)
  const texts = Array.from({ length: count }, (_, i) => `burst ${i}`)
  const profiling = await profilePages({ 'burst-receiver': receiver, 'burst-sender': sender })
  const started = senderOrigin + await sendTexts(sender, texts)
  const deadline = Date.now() + limitMs
  let rendered = 0
  let delivered = 0
  let lastIn = Number.NaN
  let lastDelivered = Number.NaN
  while (Date.now() < deadline) {
    const r = await observed(receiver)
    const s = await observed(sender)
    rendered = r.inCount - before.in
    delivered = s.deliveredCount - before.delivered
    lastIn = receiverOrigin + (r.lastIn ?? Number.NaN)
    lastDelivered = senderOrigin + (s.lastDelivered ?? Number.NaN)
    if (rendered >= count && delivered >= count) break
    await new Promise(resolve => setTimeout(resolve, BURST_POLL_MS))
  }
  const complete = rendered >= count && delivered >= count
  await profiling.save()
  // both ends are timed in their pages; an incomplete burst counts until the limit
  const end = complete ? Math.max(lastIn, lastDelivered) : Date.now()
  return { count, sent: count, rendered, delivered, ms: end - started, complete }
}
