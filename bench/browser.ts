import { chromium, type Browser, type BrowserContext } from 'playwright-core'
import { CHROMIUM, LOOPBACK_ICE_ARGS, QUIET_ARGS } from '../tests/chromium.ts'

export { CHROMIUM }

/** The e2e tests' flags, plus real figures from performance.memory. */
const ARGS = [...QUIET_ARGS, ...LOOPBACK_ICE_ARGS, '--enable-precise-memory-info']

export async function launch (): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true })
}

/**
 * A browser of its own with a profile on disk, for the returning user: it
 * keeps what a real browser keeps between visits (the HTTP cache, V8's code
 * cache, the service worker and its cache). The in-memory contexts of
 * `launch()` are incognito-like and keep no code cache at all.
 */
export async function launchProfile (dir: string, baseURL: string): Promise<BrowserContext> {
  return await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: ARGS, headless: true, baseURL })
}
