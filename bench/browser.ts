import { chromium, type Browser } from 'playwright-core'

/** Debian's Chromium, as in the e2e tests (Playwright cannot download its own here). */
export const CHROMIUM = process.env.PEERLINK_CHROMIUM ?? '/usr/bin/chromium'

/**
 * The e2e tests' flags (see playwright.config.ts for why each is there): in
 * the loopback-only namespace, Chromium gathers ICE candidates only with
 * both --allow-loopback-in-peer-connection and --use-fake-ui-for-media-stream.
 */
const ARGS = [
  '--no-sandbox',
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-domain-reliability',
  '--no-pings',
  // performance.memory gives real figures only with this flag
  '--enable-precise-memory-info'
]

export async function launch (): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true })
}
