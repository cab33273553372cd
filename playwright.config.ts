import { defineConfig } from '@playwright/test'

/** Debian's Chromium: Playwright cannot download its own browser on this machine. */
const CHROMIUM = process.env.PEERLINK_CHROMIUM ?? '/usr/bin/chromium'

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
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        // the tests run in a loopback-only namespace, where Chromium gathers
        // ICE candidates only with both of these: loopback candidates must be
        // allowed, and host candidates are only gathered when the page is
        // treated as holding media permission (checked: without the second
        // flag no candidate at all is gathered, so no WebRTC connection forms)
        '--allow-loopback-in-peer-connection',
        '--use-fake-ui-for-media-stream',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        '--disable-domain-reliability',
        '--no-pings'
      ]
    }
  }
})
