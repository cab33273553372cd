/**
 * BENCH_PROFILE=<dir>: records a CPU profile of a page while a step runs and
 * writes it as <dir>/<name>.cpuprofile (open it in Chromium's DevTools, or
 * summarise it with `tsx bench/profile-top.ts <file>`); with BENCH_TRACE=1
 * also a Chromium trace of each page's browser, <name>.trace.json (`tsx
 * bench/trace-top.ts <file>`): a message's steps on the sender and on the
 * receiver are in different browsers. It is how the phase split's "where
 * does the time go" gets an answer below the phases.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, CDPSession, Page } from 'playwright-core'

/** Finer than the default 1 ms: a message's work is a fraction of that. */
const SAMPLING_INTERVAL_US = 200

export interface Profiling {
  /** stops the profiles and writes them; a no-op when profiling is off */
  save: () => Promise<void>
}

/** What the renderer did besides JavaScript: style, layout, paint, IndexedDB, WebRTC; and the app's marks (user timing), to window a trace on a phase. */
const TRACE_CATEGORIES = ['devtools.timeline', 'blink.user_timing', 'disabled-by-default-devtools.timeline', 'blink', 'IndexedDB', 'webrtc', 'v8', 'loading', 'ServiceWorker', 'navigation', 'toplevel']

/**
 * BENCH_TRACE=lean: each thread's tasks and the marks only. A full trace of a
 * bulk transfer runs to gigabytes and slows the pages to half speed; this one
 * is enough to say which threads were busy in a window.
 */
const LEAN_TRACE_CATEGORIES = ['toplevel', 'blink.user_timing']

export interface Tracer { stop: () => Promise<Buffer> }

/**
 * A trace of the whole browser. Playwright's own tracing needs a `Browser`,
 * which a persistent context (the returning user's profile on disk) does not
 * give, so that case goes through the page's DevTools session instead.
 */
export async function startTrace (page: Page, categories = TRACE_CATEGORIES): Promise<Tracer> {
  const browser: Browser | null = page.context().browser()
  if (browser != null) {
    await browser.startTracing(undefined, { categories })
    return { stop: async () => await browser.stopTracing() }
  }
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: categories }, transferMode: 'ReturnAsStream' })
  return {
    stop: async () => {
      const complete = new Promise<string>(resolve => cdp.once('Tracing.tracingComplete', e => { resolve(e.stream ?? '') }))
      await cdp.send('Tracing.end')
      const handle = await complete
      const chunks: Buffer[] = []
      for (;;) {
        const { data, eof, base64Encoded } = await cdp.send('IO.read', { handle })
        chunks.push(Buffer.from(data, base64Encoded === true ? 'base64' : 'utf8'))
        if (eof) break
      }
      await cdp.send('IO.close', { handle })
      await cdp.detach()
      return Buffer.concat(chunks)
    }
  }
}

export async function profilePages (pages: Record<string, Page>, dir = process.env.BENCH_PROFILE): Promise<Profiling> {
  if (dir == null || dir === '') return { save: async () => {} }
  // a trace covers every renderer of its browser (style, layout,
  // IndexedDB); the CPU profiles say which JavaScript. Tracing slows the pages down a lot.
  const tracing = process.env.BENCH_TRACE === '1' || process.env.BENCH_TRACE === 'lean'
  const categories = process.env.BENCH_TRACE === 'lean' ? LEAN_TRACE_CATEGORIES : TRACE_CATEGORIES
  const tracers: Array<[string, Tracer]> = []
  const browsers = new Set<unknown>()
  for (const [name, page] of Object.entries(pages)) {
    // pages that share a browser share its trace
    const browser = page.context().browser() ?? page.context()
    if (tracing && !browsers.has(browser)) {
      browsers.add(browser)
      tracers.push([name, await startTrace(page, categories)])
    }
  }
  const sessions: Array<[string, CDPSession]> = []
  for (const [name, page] of Object.entries(pages)) {
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US })
    await cdp.send('Profiler.start')
    sessions.push([name, cdp])
  }
  return {
    save: async () => {
      await mkdir(dir, { recursive: true })
      for (const [name, tracer] of tracers) await writeFile(join(dir, `${name}.trace.json`), await tracer.stop())
      for (const [name, cdp] of sessions) {
        const { profile } = await cdp.send('Profiler.stop')
        await writeFile(join(dir, `${name}.cpuprofile`), JSON.stringify(profile))
        await cdp.detach()
      }
    }
  }
}
