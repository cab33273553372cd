import { expect, openPeer, test, waitReachable } from './fixtures.ts'
import type { Page } from '@playwright/test'

const PASSPHRASE = 'orange tractor sings quietly'

function yourLink (page: Page) {
  return page.getByLabel('Your link', { exact: true })
}

test('an exported identity imported in a fresh browser brings back the same link, once the user agrees to replace that browser\'s own; a wrong passphrase is refused clearly', async ({ browser, baseURL }, testInfo) => {
  const alice = await openPeer(browser, baseURL)
  const fresh = await openPeer(browser, baseURL)
  try {
    expect(fresh.peerId).not.toBe(alice.peerId)

    await alice.page.getByRole('link', { name: 'Backup' }).click()
    await expect(alice.page.getByText('your link stops working for good')).toBeVisible()
    await alice.page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE)
    await alice.page.getByLabel('Repeat passphrase').fill(PASSPHRASE)
    const downloading = alice.page.waitForEvent('download')
    await alice.page.getByRole('button', { name: 'Download backup' }).click()
    const download = await downloading
    const file = testInfo.outputPath(download.suggestedFilename())
    await download.saveAs(file)
    expect(download.suggestedFilename()).toMatch(/^peerlink-identity-.*\.json$/)

    const page = fresh.page
    await page.goto('/backup')
    await page.getByLabel('Backup file').setInputFiles(file)
    await page.getByLabel('Backup passphrase').fill('a wrong passphrase')
    await page.getByRole('button', { name: 'Import backup' }).click()
    await expect(page.getByRole('alert')).toContainText('passphrase is wrong')
    await page.goto('/')
    await expect(yourLink(page)).toHaveValue(fresh.link)

    // the fresh browser has an identity of its own: replacing it is asked first
    await page.goto('/backup')
    await page.getByLabel('Backup file').setInputFiles(file)
    await page.getByLabel('Backup passphrase').fill(PASSPHRASE)
    await page.getByRole('button', { name: 'Import backup' }).click()
    await expect(page.getByRole('alert')).toContainText(`another identity (…${alice.peerId.slice(-8)})`)
    await page.getByRole('button', { name: 'Keep mine' }).click()
    await expect(page.getByRole('button', { name: 'Replace my identity' })).toBeHidden()
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
