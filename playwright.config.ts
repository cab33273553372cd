import { defineConfig } from '@playwright/test'
import { CHROMIUM, LOOPBACK_ICE_ARGS, QUIET_ARGS } from './tests/chromium.ts'

export default defineConfig({
  testDir: 'tests/e2e',
  // each test runs two browsers and a relay; two cores do not fit more at once
  workers: 1,
  fullyParallel: false,
  // a flaky pass is a fail: no retries
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI != null ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    // a click on a button that went away otherwise waits out the whole test
    // (300 s for the chaos test) and says only that the test timed out
    actionTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [...QUIET_ARGS, ...LOOPBACK_ICE_ARGS]
    }
  }
})
