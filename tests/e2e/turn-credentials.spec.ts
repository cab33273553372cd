import { test as base } from '@playwright/test'
import { connection, expect, openPeer, waitReachable } from './fixtures.ts'
import { RelayProcess } from './relay-process.ts'
import { waitControlled } from './worker.ts'
import { RELAY_INFO_KEY } from '../../src/lib/state/relay-source.ts'

/**
 * A relay that hands out TURN credentials. Nothing listens at that address:
 * the browsers on loopback connect directly, and only the credentials they
 * give their connections are looked at.
 */
const test = base.extend<object, { relay: RelayProcess }>({
  relay: [async ({}, use) => {
    const relay = new RelayProcess(['--turn-urls', 'turn:127.0.0.1:3478', '--turn-secret', 'e2e-turn-secret-of-32-characters'])
    await relay.start()
    await use(relay)
    await relay.dispose()
  }, { scope: 'worker' }]
})

/** Every TURN username the page gives an RTCPeerConnection, recorded from the first script on. */
function recordTurnUsers (): void {
  const users: string[] = []
  Object.assign(window, { turnUsers: users })
  const Native = window.RTCPeerConnection
  window.RTCPeerConnection = class extends Native {
    constructor (config?: RTCConfiguration) {
      for (const server of config?.iceServers ?? []) if (server.username != null) users.push(server.username)
      super(config)
    }
  }
}

/** Seconds since the epoch at which a TURN REST username (`<expiry>:<tag>`) stops working. */
function expiryOf (username: string): number {
  return Number(username.split(':')[0])
}

test('a page started offline from the relay description kept by an earlier visit gives its connections fresh TURN credentials once the relay is back', async ({ browser, relay }) => {
  const context = await browser.newContext({ baseURL: relay.url })
  let alice: Awaited<ReturnType<typeof openPeer>> | undefined
  try {
    await context.addInitScript(recordTurnUsers)
    const page = await context.newPage()
    await page.goto('/')
    await waitReachable(page)
    await waitControlled(page)
    // the kept copy is from a visit long enough ago that its credentials have expired
    await page.evaluate((key: string) => {
      const info = JSON.parse(localStorage.getItem(key) ?? '{}') as { iceServers: Array<{ username?: string }> }
      for (const server of info.iceServers) if (server.username != null) server.username = `1000:${server.username.split(':')[1]}`
      localStorage.setItem(key, JSON.stringify(info))
    }, RELAY_INFO_KEY)

    await relay.stop()
    await context.setOffline(true)
    await page.reload()
    await expect(page.locator('[data-relay]')).toHaveText('Offline')

    await relay.start()
    await context.setOffline(false)
    await waitReachable(page)
    alice = await openPeer(browser, relay.url)
    // in the app, as following a link in a message: a new page load would fetch /relay.json afresh
    await page.evaluate(() => { Object.assign(window, { sameDocument: true }) })
    await page.evaluate((link: string) => {
      const a = document.createElement('a')
      a.href = link
      document.body.append(a)
      a.click()
    }, alice.link)
    await expect(connection(page)).toHaveText('Direct')
    expect(await page.evaluate(() => 'sameDocument' in window)).toBe(true)
    const users = await page.evaluate(() => (window as unknown as { turnUsers: string[] }).turnUsers)
    expect(users.length).toBeGreaterThan(0)
    const now = Date.now() / 1000
    for (const user of users) expect(expiryOf(user), user).toBeGreaterThan(now)
  } finally {
    await context.close()
    await alice?.context.close()
  }
})
