/**
 * 1. Time to talk: a share link opened in a fresh page until the first
 * message shows delivered on the opener's side (so the other side has
 * stored it), split into phases; the same for a returning user; and the
 * platform floor: a bare RTCPeerConnection page doing the same job.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { freshContext, marks, observing, openOwner, waitObserved, workerInstalled, workersStopped, STEP_TIMEOUT_MS, type Owner } from './app.ts'
import { launchProfile } from './browser.ts'
import { MARKS } from '../src/lib/shared/marks.ts'
import type { BenchServer } from './server.ts'
import { profilePages } from './profile.ts'
import type { AutoResult, BareApi } from './pages/protocol.ts'

/** Phases of one run, each in ms since the page's navigation started. */
export type Phases = Record<string, number>

export interface TimeToTalk {
  cold: Phases[]
  /** a returning user: a new tab of a profile on disk that has been here before */
  warm: Phases[]
  /** the link opened again in the tab that already has the app open (a hot renderer) */
  sameTab: Phases[]
  floor: Phases[]
  failures: string[]
}

/** What each link opening sends, typed by the page's observer the moment the composer can send. */
const FIRST_MESSAGE = 'hello'

/** How often the floor's page looks for its script's result (it is there within a task of the script running). */
const FLOOR_POLL_MS = 5

/** Opens the owner's link in `page` (whose context sends FIRST_MESSAGE by itself) and waits for "delivered". */
async function talk (page: Page, link: string): Promise<Phases> {
  await page.goto(link, { waitUntil: 'commit' })
  const delivered = await waitObserved(page, 'delivered')
  const sent = await waitObserved(page, 'sent')
  const direct = await waitObserved(page, 'direct')
  const m = await marks(page)
  const reserved = await waitObserved(page, 'reserved').catch(() => Number.NaN)
  const composer = await waitObserved(page, 'composer').catch(() => Number.NaN)
  return {
    'page ready (DOMContentLoaded)': m['page:dom-content-loaded'] ?? Number.NaN,
    'app code running (session start)': m[MARKS.sessionStart] ?? Number.NaN,
    'IndexedDB open': m[MARKS.storeOpen] ?? Number.NaN,
    'libp2p code loaded and run': m[MARKS.p2pLoaded] ?? Number.NaN,
    'identity loaded (store + libp2p code)': m[MARKS.storeReady] ?? Number.NaN,
    'relay description in, node built': m[MARKS.nodeCreated] ?? Number.NaN,
    'node started (session ready)': m[MARKS.sessionReady] ?? Number.NaN,
    'dial start': m[MARKS.dialStart] ?? Number.NaN,
    'own relay connection (overlaps)': m[MARKS.relayConnected] ?? Number.NaN,
    'dial: relay connected, circuit opening': m[MARKS.dialHop] ?? Number.NaN,
    'dial: relay reaching the peer': m[MARKS.dialCircuit] ?? Number.NaN,
    'dial: relayed connection, encrypting': m[MARKS.dialRelayed] ?? Number.NaN,
    'dial: signaling stream opening': m[MARKS.dialSignaling] ?? Number.NaN,
    'dial: SDP offer sent': m[MARKS.dialOffer] ?? Number.NaN,
    'dial: SDP answer in, ICE': m[MARKS.dialIce] ?? Number.NaN,
    'composer shown': composer,
    'message sent (composer could send)': sent,
    'direct connection (dial returns)': m[MARKS.dialDirect] ?? Number.NaN,
    'UI shows Direct': direct,
    'first message delivered (UI)': delivered,
    'own relay reservation (overlaps)': reserved
  }
}

/** Runs one measurement; a failure is recorded under `name` and the runs go on. */
async function attempt (failures: string[], name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run()
  } catch (err) {
    failures.push(`${name}: ${(err as Error).message.split('\n')[0]}`)
  }
}

export async function timeToTalk (browser: Browser, baseURL: string, server: BenchServer, runs: number): Promise<TimeToTalk> {
  const result: TimeToTalk = { cold: [], warm: [], sameTab: [], floor: [], failures: [] }
  const owner: Owner = await openOwner(browser, baseURL)
  try {
    for (let i = 0; i < runs; i++) {
      const context = await freshContext(browser, baseURL, FIRST_MESSAGE)
      await attempt(result.failures, `cold ${i}`, async () => {
        const page = await context.newPage()
        // BENCH_PROFILE: the last new-user run too, where a cold page loads and compiles everything
        const profiling = i === runs - 1 ? await profilePages({ 'talk-new-dialer': page, 'talk-new-owner': owner.page }) : undefined
        result.cold.push(await talk(page, owner.link))
        await profiling?.save()
        // its first install runs after the dial: left running, it would slow the next run's start
        await workerInstalled(page)
      }).finally(async () => { await context.close() })
    }
    await returningUser(baseURL, owner, runs, result)
  } finally {
    await owner.context.close()
  }
  result.floor = await floor(browser, server, runs)
  return result
}

/**
 * A returning user, in a browser with its profile on disk: a first visit
 * (identity saved, service worker installed), then the link opened in a new
 * tab each time, with the service worker stopped, which is how a link from
 * another app arrives after a while away; then the
 * link opened again and again in one tab, whose renderer keeps the compiled
 * code in memory between navigations (the figure earlier runs reported).
 */
async function returningUser (baseURL: string, owner: Owner, runs: number, result: TimeToTalk): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'peerlink-bench-profile-'))
  const context = await observing(await launchProfile(dir, baseURL), FIRST_MESSAGE)
  try {
    let page = await context.newPage()
    await talk(page, owner.link)
    await workerInstalled(page)
    for (let i = 0; i < runs; i++) {
      // a link from another app comes after a while away, when the browser has stopped the idle worker
      await workersStopped(page)
      await page.close()
      page = await context.newPage()
      const tab = page
      await attempt(result.failures, `warm ${i}`, async () => {
        // BENCH_PROFILE: the last returning-user run, both pages, from the link's opening
        const profiling = i === runs - 1 ? await profilePages({ 'talk-dialer': tab, 'talk-owner': owner.page }) : undefined
        result.warm.push(await talk(tab, owner.link))
        await profiling?.save()
      })
    }
    for (let i = 0; i < runs; i++) {
      await attempt(result.failures, `same tab ${i}`, async () => { result.sameTab.push(await talk(page, owner.link)) })
    }
  } finally {
    await context.close()
    await rm(dir, { recursive: true, force: true })
  }
}

/** The same job with nothing but the platform: a tiny page, a WebSocket for signaling, one data channel. */
async function floor (browser: Browser, server: BenchServer, runs: number): Promise<Phases[]> {
  const out: Phases[] = []
  const answerer = await browser.newContext()
  const answerPage = await answerer.newPage()
  await answerPage.goto(`${server.url}bare.html`)
  try {
    for (let i = 0; i < runs; i++) {
      const room = `ttt-${i}`
      const answered = answerPage.evaluate(async url => await (window as unknown as { peerlinkBench: BareApi }).peerlinkBench.bareConnect(url, 'answer'), server.signalUrl(room))
      // awaited below; a failure before that must not end the process as an unhandled rejection
      answered.catch(() => {})
      const context = await browser.newContext()
      try {
        const page = await context.newPage()
        await page.goto(`${server.url}bare.html?signal=${encodeURIComponent(server.signalUrl(room))}`, { waitUntil: 'commit' })
        // not page.waitForFunction, for the same reason as in waitObserved
        // (no named functions inside: tsx would wrap them in its __name helper, which this page lacks)
        const phases = await page.evaluate(async ({ poll, timeout }) => {
          const scope = window as unknown as { peerlinkAuto?: Promise<AutoResult> }
          const until = performance.now() + timeout
          while (scope.peerlinkAuto == null) {
            if (performance.now() > until) throw new Error(`the bare page did not start within ${timeout} ms`)
            await new Promise(resolve => setTimeout(resolve, poll))
          }
          return await scope.peerlinkAuto
        }, { poll: FLOOR_POLL_MS, timeout: STEP_TIMEOUT_MS })
        await answered
        const nav = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd)
        out.push({
          'page ready (DOMContentLoaded)': nav,
          'script running': phases.scriptRunning,
          'data channel open': phases.open,
          'first message echoed': phases.echoed
        })
      } finally {
        await context.close()
      }
    }
  } finally {
    await answerer.close()
  }
  return out
}
