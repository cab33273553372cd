import { devices, type Locator, type Page, type TestInfo } from '@playwright/test'
import { connection, expect, messageLog, openPeer, sendMessage, test } from './fixtures.ts'
import { readQrCode } from './qr.ts'

/** WCAG 2.5.5's target size, and what both phone platforms recommend. */
const MIN_TARGET_PX = 44
/** The narrowest phones still in use; nothing may scroll sideways there. */
const NARROWEST_PX = 320

const PHONES = {
  'Pixel 7': devices['Pixel 7'],
  'iPhone 14': devices['iPhone 14']
}

function phoneOptions (name: keyof typeof PHONES, width?: number) {
  // Chromium only here: drop the descriptor's browser choice, keep viewport, touch and user agent
  const { defaultBrowserType: _, ...options } = PHONES[name]
  return width != null ? { ...options, viewport: { width, height: options.viewport.height } } : options
}

async function expectNoHorizontalScroll (page: Page): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth
  }))
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth)
}

/** The control can be scrolled to, lies inside the viewport then, and is big enough for a thumb. */
async function expectReachable (page: Page, control: Locator): Promise<void> {
  await control.scrollIntoViewIfNeeded()
  await expect(control).toBeInViewport()
  const box = await control.boundingBox()
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(MIN_TARGET_PX)
  expect(box?.width ?? 0).toBeGreaterThanOrEqual(MIN_TARGET_PX)
}

async function attachScreenshot (page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`)
  await page.screenshot({ path, scale: 'css' })
  await testInfo.attach(name, { path, contentType: 'image/png' })
}

for (const phone of Object.keys(PHONES) as Array<keyof typeof PHONES>) {
  test(`on a ${phone} the home page and a conversation fit the screen and every control is reachable`, async ({ browser, baseURL }, testInfo) => {
    const friend = await openPeer(browser, baseURL)
    const context = await browser.newContext({ ...phoneOptions(phone), baseURL })
    try {
      const page = await context.newPage()
      await page.goto('/')
      const yourLink = page.getByLabel('Your link', { exact: true })
      await expect(yourLink).toHaveValue(/\/p\/12D3Koo/)
      await expect(page.getByAltText('QR code of your link')).toBeVisible()
      // the code another phone scans is the link itself
      expect(await readQrCode(page.getByAltText('QR code of your link'))).toBe(await yourLink.inputValue())
      await expectNoHorizontalScroll(page)
      for (const name of ['Share', 'Copy link', 'Save name', 'Open']) {
        await expectReachable(page, page.getByRole('button', { name, exact: true }))
      }
      await page.evaluate(() => scrollTo(0, 0))
      await attachScreenshot(page, testInfo, `${phone} home`)

      await page.goto(friend.link)
      await expect(connection(page)).toHaveText('Direct')
      await sendMessage(page, 'hello from a phone, with a long word: ' + 'x'.repeat(80))
      await expect(messageLog(page)).toContainText('hello from a phone')
      await expectNoHorizontalScroll(page)
      // one column: the conversation takes the screen, the list is behind the back button
      await expect(page.getByRole('complementary', { name: 'Conversation list' })).toBeHidden()
      await expectReachable(page, page.getByRole('link', { name: 'Back to conversations' }))
      await expectReachable(page, page.getByRole('button', { name: 'Send', exact: true }))
      await expectReachable(page, page.getByLabel('Message', { exact: true }))
      await attachScreenshot(page, testInfo, `${phone} conversation`)

      // what a status means is one tap away: a phone shows no tooltips
      for (const [about, meaning] of [['About the connection', /browser to browser/], ['About your status', /Friends can reach you/]] as const) {
        const explain = page.getByRole('button', { name: about, exact: true })
        await expectReachable(page, explain)
        // a screen reader hears it on the button before anything is opened
        await expect(explain).toHaveAccessibleDescription(meaning)
        await expect(page.getByText(meaning)).toBeHidden()
        await explain.tap()
        await expect(page.getByText(meaning)).toBeVisible()
        await expectNoHorizontalScroll(page)
        await attachScreenshot(page, testInfo, `${phone} ${about}`)
        await explain.tap()
        await expect(page.getByText(meaning)).toBeHidden()
      }

      // at the narrowest width nothing scrolls sideways either
      await page.setViewportSize({ width: NARROWEST_PX, height: 568 })
      await expectNoHorizontalScroll(page)
      await page.getByRole('link', { name: 'Back to conversations' }).click()
      await expect(page.getByRole('link', { name: /hello from a phone/ })).toBeVisible()
      await expectNoHorizontalScroll(page)
    } finally {
      await context.close()
      await friend.context.close()
    }
  })
}

test('on the narrowest phone the header shows a long status whole, "Open in another tab" included', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ ...phoneOptions('Pixel 7', NARROWEST_PX), baseURL })
  try {
    const first = await context.newPage()
    await first.goto('/')
    await expect(first.locator('[data-relay]')).toHaveText('Online')
    const second = await context.newPage()
    await second.goto('/')
    const status = second.locator('[data-relay]')
    await expect(status).toHaveText('Open in another tab')
    await expect(status).toBeInViewport({ ratio: 1 })
    const header = await second.locator('header').evaluate(h => ({ scrollWidth: h.scrollWidth, clientWidth: h.clientWidth }))
    expect(header.scrollWidth).toBeLessThanOrEqual(header.clientWidth)
  } finally {
    await context.close()
  }
})

test('on a tablet the conversation list stays beside the open conversation', async ({ browser, baseURL }) => {
  const friend = await openPeer(browser, baseURL)
  const context = await browser.newContext({ viewport: { width: 820, height: 1180 }, hasTouch: true, baseURL })
  try {
    const page = await context.newPage()
    await page.goto(friend.link)
    await sendMessage(page, 'side by side')
    const list = page.getByRole('complementary', { name: 'Conversation list' })
    await expect(list).toBeVisible()
    await expect(list.getByRole('link', { name: /side by side/ })).toBeVisible()
    await expect(messageLog(page)).toContainText('side by side')
    const [listBox, logBox] = await Promise.all([list.boundingBox(), messageLog(page).boundingBox()])
    expect((listBox?.x ?? 0) + (listBox?.width ?? 0)).toBeLessThanOrEqual(logBox?.x ?? 0)
    await expectNoHorizontalScroll(page)
  } finally {
    await context.close()
    await friend.context.close()
  }
})
