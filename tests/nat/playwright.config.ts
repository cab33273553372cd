import { defineConfig } from '@playwright/test'

/**
 * The NAT lab: each test builds its own namespaces, routers, relay and coturn,
 * and runs one Chromium per host namespace (see lab.ts). Run through
 * scripts/nat-lab.sh, which checks for root and the Debian packages first.
 */
export default defineConfig({
  testDir: '.',
  // one lab at a time: every lab uses the same test addresses, and two cores fit one
  workers: 1,
  fullyParallel: false,
  // a flaky pass is a fail: no retries
  retries: 0,
  // a fallback scenario waits out a failed ICE attempt before chatting over the relay
  timeout: 120_000,
  expect: { timeout: 30_000 },
  globalSetup: './stale.ts',
  reporter: [['list']],
  use: {
    // a click on something that never comes fails in this time, not at the test's timeout
    actionTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure'
  }
})
