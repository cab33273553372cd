/**
 * Does this Chromium reuse V8's code cache for module scripts? A returning
 * user's tab compiles the app again unless it does. `npm run bench:code-cache`
 * serves one module script and one classic script of the same code (a few
 * hundred KB of functions, immutable, as the relay serves the app's files)
 * on loopback, opens the page five times in new tabs of one profile on disk,
 * and prints per load, from a Chromium trace, how each script was compiled:
 * parsed from source, or its code cache consumed (and how much).
 *
 * Why a probe of its own: on Chromium 156 the classic script's cache is
 * consumed from the third load on, the module's never, although it is made
 * on every load; with `--disable-features=BackgroundResourceFetch` both are
 * (docs/performance.md). The app's code is all modules, so this decides what
 * a returning user's start can win from caching. Extra arguments go to
 * Chromium, to try such switches.
 */
import { createServer } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { CHROMIUM, QUIET_ARGS } from '../tests/chromium.ts'
import { IMMUTABLE_CACHE_CONTROL } from '../relay/http-constants.ts'
import { startTrace } from './profile.ts'
import { readTraceText, type TraceEvent } from './trace-files.ts'

/** Code caching starts with a script's second run and is consumed from its third. */
const LOADS = 5
/** Big enough that V8 caches it (it skips small scripts) and that parsing it shows. */
const FUNCTIONS = 3_000
/** Time for the page to run and for the browser to write what it cached. */
const SETTLE_MS = 1_500
const CATEGORIES = ['v8', 'devtools.timeline', 'disabled-by-default-devtools.timeline']

function source (module: boolean): string {
  const lines: string[] = []
  for (let i = 0; i < FUNCTIONS; i++) {
    lines.push(`${module ? 'export ' : ''}function f${i} (a, b) { const x = a * ${i} + b; return x > ${i} ? [x, a, b].map(v => v + ${i}).reduce((s, v) => s + v, 0) : x - ${i} }`)
  }
  lines.push(`globalThis.${module ? 'moduleRan' : 'classicRan'} = f1(1, 2)`)
  return lines.join('\n')
}

const files: Record<string, { type: string, body: string }> = {
  '/': { type: 'text/html', body: '<!doctype html><script type="module" src="/module.js"></script><script src="/classic.js"></script>' },
  '/module.js': { type: 'text/javascript', body: source(true) },
  '/classic.js': { type: 'text/javascript', body: source(false) }
}

/** How one load compiled each script: from the trace's compile and background events. */
function compiled (events: TraceEvent[]): string {
  const parts: string[] = []
  for (const name of ['module.js', 'classic.js']) {
    const ofScript = events.filter(e => String(e.args?.data?.url ?? '').endsWith(`/${name}`))
    const compile = ofScript.find(e => e.name === 'v8.compileModule' || e.name === 'v8.compile')
    const consumed = compile?.args?.data?.consumedCacheSize as number | undefined
    const parse = ofScript.find(e => e.name === 'v8.parseOnBackground')
    const how = consumed != null
      ? `code cache consumed (${Math.round(consumed / 1024)} KB)`
      : `parsed from source${parse?.dur != null ? ` (${(parse.dur / 1000).toFixed(0)} ms in the background)` : ''}`
    parts.push(`${name}: ${how}`)
  }
  const made = events.filter(e => e.name === 'v8.produceModuleCache' || e.name === 'v8.produceCache').length
  return `${parts.join('; ')}; caches made: ${made}`
}

async function main (): Promise<void> {
  const server = createServer((req, res) => {
    const file = files[req.url ?? '']
    if (file == null) { res.writeHead(404).end(); return }
    res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': IMMUTABLE_CACHE_CONTROL }).end(file.body)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address == null || typeof address === 'string') throw new Error('no server address')
  const dir = await mkdtemp(join(tmpdir(), 'peerlink-code-cache-'))
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: [...QUIET_ARGS, ...process.argv.slice(2)], headless: true })
  try {
    for (let load = 1; load <= LOADS; load++) {
      const page = await context.newPage()
      const tracer = await startTrace(page, CATEGORIES)
      await page.goto(`http://127.0.0.1:${address.port}/`)
      await page.waitForTimeout(SETTLE_MS)
      console.log(`load ${load}: ${compiled(readTraceText((await tracer.stop()).toString('utf8')))}`)
      await page.close()
    }
  } finally {
    await context.close()
    await rm(dir, { recursive: true, force: true })
    server.close()
  }
}

await main()
