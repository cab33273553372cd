/**
 * 2. Message latency through the real app: from Enter on one side until the
 * message is both rendered and stored on the other (the app renders it once
 * stored, but the figure does not rely on that), one at a time, each typed
 * first and sent once both pages are idle; then a burst sent as fast as the
 * composer takes it, until every message is rendered on the receiver and
 * shown delivered on the sender (both sides have stored it). Each single
 * message's way is also split into steps (MESSAGE_STEPS). The floor is in
 * transport.ts.
 *
 * The two people use a browser each, as two people do: pages of one
 * browser share its IndexedDB backend, where the sender's write and the
 * receiver's would wait on each other. Each browser has a new profile on
 * disk, as a person's has: an in-memory (incognito-like) profile keeps
 * IndexedDB in memory, where a strict write commits without reaching the
 * disk, and "persisted" would not mean what it says.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { profilePages } from './profile.ts'
import { storedMessages, type StoredRow } from '../tests/e2e/stored.ts'
import { launchProfile } from './browser.ts'
import { observing, openOwnerIn, sendTexts, typeThenSend, waitComposer, waitObserved, withTimeout, workerInstalled, STEP_TIMEOUT_MS } from './app.ts'

/**
 * A single message's way, in the order it goes; each seen from outside the
 * app (observer.ts). The sender's commit comes last: it runs beside the rest,
 * and nothing on the receiver waits for it.
 */
export const MESSAGE_STEPS = [
  'sender: frame handed to the data channel',
  'sender: write asked for',
  'receiver: frame arrived',
  'receiver: write asked for',
  'receiver: rendered',
  'receiver: write committed',
  'sender: write committed'
] as const
export type MessageStep = typeof MESSAGE_STEPS[number]

export interface MessageFigures {
  /** Enter on B to rendered and stored on A, ms */
  latency: number[]
  /** per single message, ms after Enter at each step it was seen at */
  steps: Array<Partial<Record<MessageStep, number>>>
  /** each burst, one after the other in the same conversation */
  bursts: Burst[]
  failures: string[]
}

export interface Burst { count: number, sent: number, rendered: number, delivered: number, ms: number, complete: boolean }

/** What page time is added to for system-clock ms, set again now on the page (observer.ts). */
async function clockBase (page: Page): Promise<number> {
  return await page.evaluate(() => window.__benchClock?.() ?? performance.timeOrigin)
}

/**
 * When an incoming text will have been both shown and stored, whichever
 * comes last (epoch ms): armed now, before Enter, so that nothing goes from
 * the driver to the receiver while the message is on its way. A wait asked
 * for after Enter (page.waitForFunction, as until 2026-12-06) reached the
 * receiver as the message did, and ran on its main thread beside it.
 */
async function armShownAndStored (page: Page, text: string): Promise<{ arrived: Promise<number> }> {
  const key = `in ${text}`
  const arrived = page.evaluate(async ({ key, t }) => {
    const until = window.__benchUntil
    if (until == null) throw new Error('observer not installed')
    return await until(key, () => {
      const o = window.__benchObserved
      const shown = o?.inAt[t]
      const stored = o?.storedAt[t]
      return shown != null && stored != null ? Math.max(shown, stored) : undefined
    })
  }, { key, t: text })
  return await armed(page, key, arrived, STEP_TIMEOUT_MS, `"${text}" shown and stored`)
}

/** Arms a wait for the burst's last message to be seen at `mark` (page time), as armShownAndStored does. */
async function armMark (page: Page, key: string, mark: 'markIn' | 'markDelivered', limitMs: number): Promise<{ arrived: Promise<number> }> {
  const arrived = page.evaluate(async ({ key, mark }) => {
    const until = window.__benchUntil
    if (until == null) throw new Error('observer not installed')
    return await until(key, () => window.__benchObserved?.[mark])
  }, { key, mark })
  return await armed(page, key, arrived, limitMs, key)
}

/**
 * Once the page holds the wait for `key` (the evaluate behind `arrived` only
 * answers when it is over), `arrived` within `limitMs`. Armed before the
 * timed step, the driver then sends the page nothing while the step runs.
 */
async function armed (page: Page, key: string, arrived: Promise<number>, limitMs: number, what: string): Promise<{ arrived: Promise<number> }> {
  await page.evaluate(async ({ key, timeout }) => {
    const until = performance.now() + timeout
    while (window.__benchWaiting?.has(key) !== true) {
      if (performance.now() > until) throw new Error(`the wait for "${key}" was not armed within ${timeout} ms`)
      await new Promise(resolve => setTimeout(resolve, 1))
    }
  }, { key, timeout: STEP_TIMEOUT_MS })
  const result = withTimeout(arrived, limitMs, what)
  // seen to by the caller, unless the step failed first
  result.catch(() => {})
  // in an object: an async function's promise would take this one's value, after the step
  return { arrived: result }
}

export async function messageLatency (baseURL: string, singles: number, burst: number, bursts: number, burstLimitMs: number): Promise<MessageFigures> {
  const failures: string[] = []
  const dirs = [await mkdtemp(join(tmpdir(), 'peerlink-bench-alice-')), await mkdtemp(join(tmpdir(), 'peerlink-bench-bob-'))]
  const aliceContext = await observing(await launchProfile(dirs[0], baseURL))
  const bobContext = await observing(await launchProfile(dirs[1], baseURL))
  try {
    const alice = await openOwnerIn(aliceContext)
    const bob = await bobContext.newPage()
    await bob.goto(alice.link)
    await waitComposer(bob)
    await sendTexts(bob, ['hello'])
    await waitObserved(bob, 'delivered')
    await workerInstalled(bob)
    // Alice opens the conversation in-app (a full page load would restart her node)
    await alice.page.locator('a[href^="/p/"]').first().click()
    await waitComposer(alice.page)
    await waitObserved(alice.page, 'direct')

    const latency: number[] = []
    const steps: MessageFigures['steps'] = []
    const singlesProfile = await profilePages({ 'singles-receiver': alice.page, 'singles-sender': bob })
    for (let i = 0; i < singles; i++) {
      const text = `latency ${i}`
      try {
        // typed first, as a person does: the "typing" frame that sends is not part of the send
        // both pages' clocks are set again for each message: the system clock moves against theirs
        const [bobBase] = await Promise.all([clockBase(bob), clockBase(alice.page)])
        let armed: { arrived: Promise<number> } | undefined
        // one at a time: the next goes out once this one is done (shown delivered) and both pages are idle
        const sent = bobBase + await typeThenSend(bob, text, async () => {
          await settle([alice.page, bob], text)
          armed = await armShownAndStored(alice.page, text)
        })
        if (armed == null) throw new Error('the receiver was not armed')
        latency.push(await armed.arrived - sent)
        steps.push(await stepsOf(bob, alice.page, text, sent))
      } catch (err) {
        failures.push(`single ${i}: ${(err as Error).message.split('\n')[0]}`)
      }
    }
    await singlesProfile.save()
    const runs: Burst[] = []
    for (let i = 0; i < bursts; i++) {
      // the first burst is profiled, when BENCH_PROFILE asks
      runs.push(await runBurst(alice.page, bob, `burst${i} `, burst, burstLimitMs, i === 0))
      await settle([alice.page, bob], '')
    }
    return { latency, steps, bursts: runs, failures }
  } finally {
    await bobContext.close()
    await aliceContext.close()
    await Promise.all(dirs.map(async dir => { await rm(dir, { recursive: true, force: true }) }))
  }
}

/** Where one message was at each step, in ms after Enter (`sent`, epoch ms); read once it is done. */
async function stepsOf (sender: Page, receiver: Page, text: string, sent: number): Promise<MessageFigures['steps'][number]> {
  const own = await sender.evaluate(t => window.__benchObserved?.outAt[t], text)
  const theirs = await receiver.evaluate(t => {
    const o = window.__benchObserved
    return { frame: o?.frameInAt[t], write: o?.inWriteAt[t], stored: o?.storedAt[t], shown: o?.inAt[t] }
  }, text)
  const at: Record<MessageStep, number | undefined> = {
    'sender: write asked for': own?.write,
    'sender: write committed': own?.stored,
    'sender: frame handed to the data channel': own?.frame,
    'receiver: frame arrived': theirs.frame,
    'receiver: write asked for': theirs.write,
    'receiver: write committed': theirs.stored,
    'receiver: rendered': theirs.shown
  }
  const out: MessageFigures['steps'][number] = {}
  for (const step of MESSAGE_STEPS) {
    const t = at[step]
    if (t != null) out[step] = t - sent
  }
  return out
}

/** How long a page may stay busy before a single message is sent anyway. */
const IDLE_WAIT_MS = 500

/** Follows `mark` on the pages from now on, and waits until none has work left to do. */
async function settle (pages: Page[], mark: string): Promise<void> {
  await Promise.all(pages.map(async page => {
    await page.evaluate(async ({ mark, timeout }) => {
      const o = window.__benchObserved
      if (o != null) Object.assign(o, { mark, markIn: undefined, markDelivered: undefined })
      await new Promise(resolve => requestIdleCallback(resolve, { timeout }))
    }, { mark, timeout: IDLE_WAIT_MS })
  }))
}

async function runBurst (receiver: Page, sender: Page, prefix: string, count: number, limitMs: number, profile: boolean): Promise<Burst> {
  const texts = Array.from({ length: count }, (_, i) => `${prefix}${i}`)
  const last = texts[texts.length - 1]
  for (const page of [receiver, sender]) {
    await page.evaluate(mark => { if (window.__benchObserved != null) Object.assign(window.__benchObserved, { trackTexts: false, mark, markIn: undefined, markDelivered: undefined }) }, last)
  }
  const senderOrigin = await clockBase(sender)
  const receiverOrigin = await clockBase(receiver)
  const profiling = profile ? await profilePages({ 'burst-receiver': receiver, 'burst-sender': sender }) : undefined
  // the driver waits in the pages, so it sends neither anything while the burst runs
  const shownIn = await armMark(receiver, `${prefix}in`, 'markIn', limitMs)
  const shownDelivered = await armMark(sender, `${prefix}delivered`, 'markDelivered', limitMs)
  const started = senderOrigin + await sendTexts(sender, texts)
  // the last message's row, shown on the receiver and shown delivered on the sender
  const [markIn, markDelivered] = await Promise.all([shownIn.arrived, shownDelivered.arrived].map(async p => await p.catch(() => undefined)))
  await profiling?.save()
  // then count in the stores: the last one shown says nothing of the others
  const burstRows = (rows: StoredRow[], direction: string): StoredRow[] => rows.filter(m => m.direction === direction && m.text.startsWith(prefix))
  const rendered = burstRows(await storedMessages(receiver), 'in').length
  const delivered = burstRows(await storedMessages(sender), 'out').filter(m => m.status === 'delivered' || m.status === 'read').length
  const shown = markIn != null && markDelivered != null
  const complete = shown && rendered >= count && delivered >= count
  // both ends are timed in their pages; an incomplete burst counts until the limit
  const end = markIn != null && markDelivered != null ? Math.max(receiverOrigin + markIn, senderOrigin + markDelivered) : Date.now()
  return { count, sent: count, rendered, delivered, ms: end - started, complete }
}
