import { expect, messageLog, openPeer, test } from './fixtures.ts'

/** A valid peer ID nobody in the test runs: a contact who is not online. */
const AWAY_PEER = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
/** As MAX_TEXT_LENGTH in src/lib/p2p/chat/constants.ts */
const MAX_MESSAGE_LENGTH = 16_000

test('a paste longer than a message holds is kept whole, said to be too long, and not sent', async ({ browser, baseURL }) => {
  const alice = await openPeer(browser, baseURL)
  await alice.page.goto(`/p/${AWAY_PEER}`)
  const field = alice.page.getByLabel('Message', { exact: true })
  const send = alice.page.getByRole('button', { name: 'Send', exact: true })
  const long = `${'a long log line '.repeat(1_000)}the end`
  expect(long.length).toBeGreaterThan(MAX_MESSAGE_LENGTH)
  await field.focus()
  // as a paste puts it in: one insertion, which a maxlength would cut short
  await alice.page.keyboard.insertText(long)
  await expect(field).toHaveValue(long)
  await expect(alice.page.getByRole('alert')).toContainText('Too long to send')
  await expect(alice.page.getByText(`${(long.length - MAX_MESSAGE_LENGTH).toLocaleString('en-US')} characters too many`)).toBeVisible()
  await expect(send).toBeDisabled()
  await field.press('Enter')
  await expect(field).toHaveValue(long)
  await expect(messageLog(alice.page).locator('li')).toHaveCount(0)

  // kept across a reload, all of it
  await alice.page.reload()
  await expect(field).toHaveValue(long)

  // shortened to fit, it goes
  await field.fill(long.slice(-MAX_MESSAGE_LENGTH))
  await expect(alice.page.getByRole('alert')).toHaveCount(0)
  await send.click()
  await expect(messageLog(alice.page).locator('li.out .text')).toHaveText(long.slice(-MAX_MESSAGE_LENGTH))
  await expect(field).toHaveValue('')
  await alice.context.close()
})
