import { chromium, type Browser } from 'playwright-core'
import { CHROMIUM, LOOPBACK_ICE_ARGS, QUIET_ARGS } from '../tests/chromium.ts'

export { CHROMIUM }

/** The e2e tests' flags, plus real figures from performance.memory. */
const ARGS = [...QUIET_ARGS, ...LOOPBACK_ICE_ARGS, '--enable-precise-memory-info']

export async function launch (): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true })
}
