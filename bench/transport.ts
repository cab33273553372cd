/**
 * The transport layer alone, two bench pages in a browser each (as the two
 * people of section 2, so the floor pays the same way between them): the bare
 * RTCDataChannel (the platform floor) and a real Peerlink libp2p node
 * (src/lib/p2p/node.ts) with its direct WebRTC connection. Round trips,
 * a small-message burst, and bulk over one stream vs one data channel,
 * interleaved so both see the same machine load.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { withTimeout } from './app.ts'
import { launchProfile } from './browser.ts'
import { profilePages } from './profile.ts'
import type { BenchServer } from './server.ts'
import type { BenchApi, StoreFloor } from './pages/protocol.ts'

export interface TransportFigures {
  bareRtt: number[]
  /** the same, each after a quiet spell (PLAN.transport.idleGapMs) */
  bareIdleRtt: number[]
  nodeRtt: number[]
  /** ms for the whole burst, per repetition */
  bareBurst: number[]
  /** ms for one warm direct dial through the relay (node already has its reservation) */
  nodeDial: number
  /** MB/s (10^6 bytes per second) per repetition */
  bareBulk: number[]
  nodeBulk: number[]
  bulkBytes: number
  /** the persistence floor: a burst's writes and single writes on bare IndexedDB */
  store?: StoreFloor
  /**
   * ms for a burst's writes on both pages at once (each page its own), the
   * slower page's: under a burst the sender and the receiver each write every
   * message, on the same cores and disk
   */
  storeBothMs?: number
  failures: string[]
}

export interface TransportPlan {
  rtts: number
  idleRtts: number
  idleGapMs: number
  burst: number
  /** messages per transaction under a burst: the app's batch */
  storeBatch: number
  bursts: number
  bulkBytes: number
  bulkRuns: number
  /** one bulk transfer that takes longer than this is counted as failed */
  bulkTimeoutMs: number
}

type Call = <K extends keyof BenchApi>(page: Page, fn: K, ...args: Parameters<BenchApi[K]>) => Promise<Awaited<ReturnType<BenchApi[K]>>>

const call: Call = async (page, fn, ...args) => await page.evaluate(
  async ([name, rest]) => await (window as unknown as { peerlinkBench: Record<string, (...a: unknown[]) => unknown> }).peerlinkBench[name](...rest),
  [fn, args] as const
) as never

async function benchPage (context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(url)
  await page.waitForFunction(() => 'peerlinkBench' in window)
  return page
}

export async function transport (server: BenchServer, relayAddr: string, plan: TransportPlan): Promise<TransportFigures> {
  const out: TransportFigures = { bareRtt: [], bareIdleRtt: [], nodeRtt: [], bareBurst: [], nodeDial: Number.NaN, bareBulk: [], nodeBulk: [], bulkBytes: plan.bulkBytes, failures: [] }
  // profiles on disk, as section 2's pages have: bare IndexedDB's writes
  // (the persistence floor) must reach the disk as the app's do, which an
  // in-memory profile's never do
  const dirs = [await mkdtemp(join(tmpdir(), 'peerlink-bench-floor-')), await mkdtemp(join(tmpdir(), 'peerlink-bench-floor-'))]
  // a browser each: between two browsers a message crosses two network
  // services, which pages of one browser share
  const contexts: BrowserContext[] = []
  try {
    for (const dir of dirs) contexts.push(await launchProfile(dir, server.url))
    const a = await benchPage(contexts[0], server.url)
    const b = await benchPage(contexts[1], server.url)
    const answered = call(b, 'bareConnect', server.signalUrl('transport'), 'answer')
    await call(a, 'bareConnect', server.signalUrl('transport'), 'offer')
    await answered
    const [, peerB] = await Promise.all([call(a, 'nodeStart', relayAddr), call(b, 'nodeStart', relayAddr)])
    out.nodeDial = await call(a, 'nodeDial', peerB)

    out.bareRtt = await call(a, 'bareRtt', plan.rtts)
    out.bareIdleRtt = await call(a, 'bareRtt', plan.idleRtts, plan.idleGapMs)
    out.nodeRtt = await call(a, 'nodeRtt', peerB, plan.rtts)
    for (let i = 0; i < plan.bursts; i++) out.bareBurst.push(await call(a, 'bareBurst', plan.burst))
    try {
      out.store = await call(a, 'bareStore', plan.burst, plan.storeBatch, plan.rtts, plan.idleRtts, plan.idleGapMs)
      const both = await Promise.all([a, b].map(async page => await call(page, 'bareStore', plan.burst, plan.storeBatch, 0)))
      out.storeBothMs = Math.max(...both.map(floor => floor.burstMs))
    } catch (err) {
      out.failures.push(`bareStore: ${(err as Error).message.split('\n')[0]}`)
    }

    const mbps = (ms: number): number => plan.bulkBytes / 1e6 / (ms / 1000)
    const profiling = await profilePages({ 'bulk-sender': a, 'bulk-receiver': b })
    const sides = [['bareBulk', out.bareBulk], ['nodeBulk', out.nodeBulk]] as const
    for (let i = 0; i < plan.bulkRuns; i++) {
      // each side goes first every other time: a transfer right after another may find the machine busier
      for (const [name, list] of i % 2 === 0 ? sides : [...sides].reverse()) {
        try {
          const ms = name === 'bareBulk'
            ? await withTimeout(call(a, 'bareBulk', plan.bulkBytes), plan.bulkTimeoutMs, name)
            : await withTimeout(call(a, 'nodeBulk', peerB, plan.bulkBytes), plan.bulkTimeoutMs, name)
          list.push(mbps(ms))
        } catch (err) {
          out.failures.push(`${name} ${i}: ${(err as Error).message.split('\n')[0]}`)
        }
      }
    }
    await profiling.save()
  } finally {
    for (const context of contexts) await context.close()
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  }
  return out
}
