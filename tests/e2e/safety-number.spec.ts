import { connection, expect, messageLog, sendMessage, test, twoPeopleEachTest, type Peer } from './fixtures.ts'
import { safetyNumber, spokenSafetyNumber } from '../../src/lib/shared/safety-number.ts'

test.describe('safety numbers', () => {
  let alice: Peer
  let bob: Peer

  twoPeopleEachTest((a, b) => { alice = a; bob = b })

  test('both people see the same safety number, the one their two peer IDs give', async () => {
    // worked out here from the IDs their links carry, as each browser does from its own and the other's
    const groups = await safetyNumber(alice.peerId, bob.peerId)

    await bob.page.goto(alice.link)
    await expect(connection(bob.page)).toHaveText('Direct')
    await sendMessage(bob.page, 'shall we compare numbers?')
    await alice.page.getByRole('link', { name: /shall we compare numbers/ }).click()
    await expect(messageLog(alice.page)).toContainText('shall we compare numbers?')

    for (const { page } of [alice, bob]) {
      const verify = page.getByRole('button', { name: 'Verify safety number', exact: true })
      const panel = page.getByRole('region', { name: 'Safety number', exact: true })
      await expect(verify).toHaveAttribute('aria-expanded', 'false')
      await expect(panel).toBeHidden()

      await verify.click()
      await expect(verify).toHaveAttribute('aria-expanded', 'true')
      await expect(panel.locator('.digits')).toHaveText(groups.join(' '))
      // and a screen reader reads the same digits, one by one
      await expect(panel).toContainText(spokenSafetyNumber(groups))

      await verify.press('Escape')
      await expect(verify).toHaveAttribute('aria-expanded', 'false')
      await expect(panel).toBeHidden()
    }
  })
})
