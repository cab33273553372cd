import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { test as base } from '@playwright/test'
import { connection, expect, messageLog, openPeer, sendMessage } from './fixtures.ts'
import { RelayProcess } from './relay-process.ts'
import { KEY_FILE_NAME } from '../../relay/constants.ts'

/** A relay of this test's own: it loses its key, and the other tests' relay must not. */
const test = base.extend<object, { relay: RelayProcess }>({
  relay: [async ({}, use) => {
    const relay = new RelayProcess()
    await relay.start()
    await use(relay)
    await relay.dispose()
  }, { scope: 'worker' }]
})

/**
 * The page learns of the new peer ID from /relay.json, which it reads again
 * once every relay is lost and reconnecting fails, but not sooner than a
 * minute after its last read (RELAY_REFRESH_MIN_MS), plus the reconnect's own back-off.
 */
const BACK_UNDER_NEW_ID_TIMEOUT_MS = 120_000

async function relayPeerId (url: string): Promise<string> {
  const info = await (await fetch(`${url}/relay.json`)).json() as { peerId: string }
  return info.peerId
}

test('a relay that comes back under a new peer ID (its key lost) is reserved on again, and the two people talk through it', async ({ browser, relay }) => {
  test.setTimeout(BACK_UNDER_NEW_ID_TIMEOUT_MS * 2)
  const alice = await openPeer(browser, relay.url)
  const bob = await openPeer(browser, relay.url)
  try {
    const before = await relayPeerId(relay.url)
    await relay.stop()
    await rm(join(relay.dataDir, KEY_FILE_NAME))
    await relay.start()
    expect(await relayPeerId(relay.url)).not.toBe(before)

    // each page dials the relay's new ID and holds a reservation there, without a reload
    for (const page of [alice.page, bob.page]) {
      await expect(page.locator('[data-relay]')).toHaveAttribute('data-relay', 'reserved', { timeout: BACK_UNDER_NEW_ID_TIMEOUT_MS })
    }
    // reachable through it: Bob dials Alice, which signals through the relay, and a message goes both ways
    await bob.page.goto(alice.link)
    await expect(connection(bob.page)).toHaveText('Direct')
    await sendMessage(bob.page, 'through the relay with its new key')
    await expect(messageLog(bob.page).locator('li.out', { hasText: 'through the relay with its new key' })).toHaveAttribute('data-status', /delivered|read/)
  } finally {
    await alice.context.close()
    await bob.context.close()
  }
})
