import { expect, openPeer, test, waitReachable, type Peer } from './fixtures.ts'
import type { Browser, Page, TestInfo } from '@playwright/test'

const PASSPHRASE = 'orange tractor sings quietly'

function yourLink (page: Page) {
  return page.getByLabel('Your link', { exact: true })
}

/** Downloads the page's identity backup; returns where the file is. */
async function downloadBackup (page: Page, testInfo: TestInfo): Promise<string> {
  await page.goto('/backup')
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE)
  await page.getByLabel('Repeat passphrase').fill(PASSPHRASE)
  const downloading = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Download backup' }).click()
  const download = await downloading
  const file = testInfo.outputPath(`${testInfo.testId}-${download.suggestedFilename()}`)
  await download.saveAs(file)
  return file
}

/**
 * Imports a backup of another identity than the page's own, agreeing to
 * replace it; resolves once the page has reloaded. It goes to the backup page
 * by the app's link, not by loading it: a tab running the node keeps it.
 */
async function replaceIdentity (page: Page, file: string): Promise<void> {
  await page.getByRole('link', { name: 'Backup' }).click()
  await page.getByLabel('Backup file').setInputFiles(file)
  await page.getByLabel('Backup passphrase').fill(PASSPHRASE)
  await page.getByRole('button', { name: 'Import backup' }).click()
  const reloaded = page.waitForEvent('load')
  await page.getByRole('button', { name: 'Replace my identity' }).click()
  await reloaded
}

const REPLACED = 'Your identity was replaced from a backup in another tab. Reload this page'

test('an exported identity imported in a fresh browser brings back the same link, once the user agrees (asked without alarm: nothing is lost) to replace that browser\'s own; a wrong passphrase is refused clearly', async ({ browser, baseURL }, testInfo) => {
  const alice = await openPeer(browser, baseURL)
  const fresh = await openPeer(browser, baseURL)
  try {
    expect(fresh.peerId).not.toBe(alice.peerId)

    await alice.page.getByRole('link', { name: 'Backup' }).click()
    await expect(alice.page.getByText('your link stops working for good')).toBeVisible()
    await alice.page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE)
    await alice.page.getByLabel('Repeat passphrase').fill(PASSPHRASE)
    // a live region is announced when its text changes, not when it is added with its text
    const saved = alice.page.locator('.backup .ok[role="status"]')
    await expect(saved).toHaveText('')
    // the object URLs revoked (a fetch of one would tell too, but the page's CSP allows none)
    await alice.page.evaluate(() => {
      const revoked: string[] = (window as unknown as { revokedUrls: string[] }).revokedUrls = []
      const revoke = URL.revokeObjectURL.bind(URL)
      URL.revokeObjectURL = (url: string) => { revoked.push(url); revoke(url) }
    })
    const downloading = alice.page.waitForEvent('download')
    await alice.page.getByRole('button', { name: 'Download backup' }).click()
    const download = await downloading
    const file = testInfo.outputPath(download.suggestedFilename())
    await download.saveAs(file)
    expect(download.suggestedFilename()).toMatch(/^peerlink-identity-.*\.json$/)
    await expect(saved).toContainText(`Saved ${download.suggestedFilename()}`)
    // Safari fetches the file after the click's task: its URL must outlive that
    expect(await alice.page.evaluate(() => (window as unknown as { revokedUrls: string[] }).revokedUrls)).toEqual([])

    const page = fresh.page
    await page.goto('/backup')
    await page.getByLabel('Backup file').setInputFiles(file)
    await page.getByLabel('Backup passphrase').fill('a wrong passphrase')
    await page.getByRole('button', { name: 'Import backup' }).click()
    await expect(page.getByRole('alert')).toContainText('passphrase is wrong')
    // the button disabled itself while it worked: the focus is where the user tries again, not at the top of the page
    await expect(page.getByLabel('Backup passphrase')).toBeFocused()
    await page.goto('/')
    await expect(yourLink(page)).toHaveValue(fresh.link)

    // the fresh browser has an identity of its own, but no conversation to lose: replacing it is asked, without alarm
    await page.goto('/backup')
    await page.getByLabel('Backup file').setInputFiles(file)
    await page.getByLabel('Backup passphrase').fill(PASSPHRASE)
    await page.getByRole('button', { name: 'Import backup' }).click()
    await expect(page.getByRole('status').filter({ hasText: `another identity (…${alice.peerId.slice(-8)})` })).toContainText('no conversations yet')
    await expect(page.getByRole('alert')).toBeHidden()
    await expect(page.getByRole('button', { name: 'Keep mine' })).toBeFocused()
    await page.getByRole('button', { name: 'Keep mine' }).click()
    await expect(page.getByRole('button', { name: 'Replace my identity' })).toBeHidden()
    await expect(page.getByLabel('Backup file')).toBeFocused()
    await page.getByRole('button', { name: 'Import backup' }).click()
    const reloaded = page.waitForEvent('load')
    await page.getByRole('button', { name: 'Replace my identity' }).click()
    await reloaded
    await page.goto('/')
    await waitReachable(page)
    await expect(yourLink(page)).toHaveValue(alice.link)
  } finally {
    await alice.context.close()
    await fresh.context.close()
  }
})

/**
 * Alice's browser with a second tab waiting in line for her node, and the
 * backup of another identity, whose own browser is closed (one node per
 * identity); closes the browsers once `body` is done.
 */
async function withBackupAndWaitingTab (
  { browser, baseURL, testInfo }: { browser: Browser, baseURL: string, testInfo: TestInfo },
  body: (alice: Peer, waiting: Page, backup: { file: string, link: string }) => Promise<void>
): Promise<void> {
  const alice = await openPeer(browser, baseURL)
  const other = await openPeer(browser, baseURL)
  try {
    const file = await downloadBackup(other.page, testInfo)
    await other.context.close()

    const waiting = await alice.context.newPage()
    await waiting.goto('/')
    await expect(waiting.getByRole('button', { name: 'Use Peerlink here' })).toBeVisible()
    await body(alice, waiting, { file, link: other.link })
  } finally {
    await alice.context.close()
    await other.context.close()
  }
}

test.describe('a backup imported with other tabs open', () => {
  test('in a waiting tab: the running tab stops the old identity\'s node and the node runs as the imported one', async ({ browser, baseURL }, testInfo) => {
    await withBackupAndWaitingTab({ browser, baseURL, testInfo }, async (alice, waiting, backup) => {
      await replaceIdentity(waiting, backup.file)

      await waiting.goto('/')
      await waitReachable(waiting)
      await expect(yourLink(waiting)).toHaveValue(backup.link)
      await expect(alice.page.getByRole('alert').filter({ hasText: REPLACED })).toBeVisible()
      await expect(alice.page.locator('[data-relay]')).toHaveText('Not running')
    })
  })

  test('in the running tab: the node goes to it as the imported identity, not to a tab that waited in line with the old one', async ({ browser, baseURL }, testInfo) => {
    await withBackupAndWaitingTab({ browser, baseURL, testInfo }, async (alice, waiting, backup) => {
      await replaceIdentity(alice.page, backup.file)

      await alice.page.goto('/')
      await waitReachable(alice.page)
      await expect(yourLink(alice.page)).toHaveValue(backup.link)
      await expect(waiting.getByRole('alert').filter({ hasText: REPLACED })).toBeVisible()
      await expect(waiting.locator('[data-relay]')).toHaveText('Not running')
    })
  })
})
