/**
 * How every test and benchmark starts Debian's Chromium (Playwright cannot
 * download its own browser on this machine), in one place.
 */
export const CHROMIUM = process.env.PEERLINK_CHROMIUM ?? '/usr/bin/chromium'

/**
 * Root needs --no-sandbox; the next ones keep Chromium from reaching for the
 * internet at start (updates, sync, pings), which the test networks refuse.
 * The last keeps it from loading the omnibox's popups (two WebUI pages in a
 * renderer of their own) for every new window, which headless mode never
 * shows: on this machine they took about 1.5 s of CPU per browser context,
 * on the two cores the pages under test share, and a trace caught them
 * holding a core through a new user's dial (docs/performance.md). Chromium
 * merges this list with the one Playwright passes.
 */
export const QUIET_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-domain-reliability',
  '--no-pings',
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup'
]

/**
 * In the loopback-only namespace Chromium gathers ICE candidates only with
 * both of these: loopback candidates must be allowed, and host candidates are
 * only gathered when the page is treated as holding media permission
 * (checked: without the second flag no candidate at all is gathered).
 */
export const LOOPBACK_ICE_ARGS = [
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream'
]
