import { test as base, expect, type Page } from '@playwright/test'
import { NatLab, ORIGIN, type LabOptions } from './lab.ts'
import type { Side } from './topology.ts'

export interface LabPeer {
  page: Page
  link: string
  peerId: string
}

/** Opens Peerlink in the Chromium of one host namespace and waits until it is reachable through the relay. */
export async function openPeer (lab: NatLab, side: Side): Promise<LabPeer> {
  const browser = await lab.browser(side)
  const context = await browser.newContext({ baseURL: ORIGIN })
  const page = await context.newPage()
  await page.goto('/')
  await expect(page.getByLabel('Your link', { exact: true })).toHaveValue(/\/p\/12D3Koo/)
  await expect(page.locator('[data-relay]')).toHaveAttribute('data-relay', 'reserved')
  const link = await page.getByLabel('Your link', { exact: true }).inputValue()
  return { page, link, peerId: link.split('/p/')[1] ?? '' }
}

export function connection (page: Page) {
  return page.getByLabel('Connection', { exact: true })
}

export function messageLog (page: Page) {
  return page.getByRole('log', { name: 'Messages' })
}

export async function sendMessage (page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text)
  await page.getByRole('button', { name: 'Send', exact: true }).click()
}

export async function expectDelivered (page: Page, text: string): Promise<void> {
  await expect(messageLog(page).locator('li.out', { hasText: text })).toHaveAttribute('data-status', /delivered|read/)
}

/**
 * The ICE path of the WebRTC connection to a peer, from the diagnostics page
 * ('<ours> / <theirs> <protocol> <their address>'), or '' when there is no
 * WebRTC connection. Navigates in-app and back, so the node keeps running.
 */
export async function icePathTo (page: Page, peerId: string): Promise<string> {
  await page.getByRole('link', { name: 'Diagnostics' }).click()
  const rows = page.locator(`tr[data-peer="${peerId}"]`)
  await expect(rows.first()).toBeVisible()
  const webrtc = rows.filter({ hasText: 'WebRTC' })
  let path = ''
  if (await webrtc.count() > 0) {
    // getStats() answers asynchronously; the page shows it from its next refresh on
    await expect(webrtc.locator('td[data-ice-path]')).not.toHaveAttribute('data-ice-path', '')
    path = await webrtc.locator('td[data-ice-path]').getAttribute('data-ice-path') ?? ''
  }
  await page.goBack()
  return path
}

export const test = base.extend<{ labOptions: LabOptions, lab: NatLab }>({
  labOptions: [{ a: 'cone', b: 'cone', turn: false }, { option: true }],
  lab: async ({ labOptions }, use, testInfo) => {
    const lab = await NatLab.start(labOptions)
    try {
      await use(lab)
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('lab-output', { body: lab.output, contentType: 'text/plain' })
      }
      await lab.stop()
    }
  }
})

export { expect }
