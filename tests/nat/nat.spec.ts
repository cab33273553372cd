import { connection, expect, expectDelivered, icePathTo, messageLog, openPeer, sendMessage, test, type LabPeer } from './fixtures.ts'
import type { NatLab } from './lab.ts'
import type { Page } from '@playwright/test'

/**
 * Alice behind router A, Bob behind router B. Bob opens Alice's link and
 * writes at once, as a person would; the figure is the time from opening the
 * link to his first message being delivered. Then Alice answers.
 */
async function meet (lab: NatLab, scenario: string): Promise<{ alice: LabPeer, bob: LabPeer }> {
  const [alice, bob] = await Promise.all([openPeer(lab, 'a'), openPeer(lab, 'b')])
  const opened = Date.now()
  await bob.page.goto(alice.link)
  await sendMessage(bob.page, 'hello from bob')
  await expectDelivered(bob.page, 'hello from bob')
  // a figure for the record, never an assertion: tests do not time things
  console.log(`[figure] ${scenario}: link open to first delivered message: ${Date.now() - opened} ms`)

  const entry = alice.page.getByRole('link', { name: /hello from bob/ })
  await expect(entry).toBeVisible()
  await entry.click()
  await expect(messageLog(alice.page)).toContainText('hello from bob')
  await sendMessage(alice.page, 'hi bob, alice here')
  await expectDelivered(alice.page, 'hi bob, alice here')
  await expect(messageLog(bob.page)).toContainText('hi bob, alice here')
  return { alice, bob }
}

/** Closes the page's connections of one kind to a peer from the diagnostics page, in-app, as a network or a relay would. */
async function closeConnections (page: Page, peerId: string, kind: 'WebRTC' | 'Relayed'): Promise<void> {
  await page.getByRole('link', { name: 'Diagnostics' }).click()
  // the table filled in (it shows at least one connection to the peer): counted before, its rows
  // read 0, nothing was closed, and going back from a navigation not yet made left the conversation
  await expect(page.locator(`tr[data-peer="${peerId}"]`).first()).toBeVisible()
  const rows = page.locator(`tr[data-peer="${peerId}"]`).filter({ hasText: kind })
  // counted again each time: a circuit may close by itself meanwhile, and a click on a row that is gone would wait for good
  for (let left = await rows.count(); left > 0; left = await rows.count()) {
    await rows.first().getByRole('button', { name: 'Close' }).click()
    await expect(rows).toHaveCount(left - 1)
  }
  await page.goBack()
}

/** Both sides see the same rung of the ladder. */
async function expectBoth (alice: LabPeer, bob: LabPeer, text: string | RegExp): Promise<void> {
  await expect(connection(bob.page)).toHaveText(text)
  await expect(connection(alice.page)).toHaveText(text)
}

test.describe('cone NAT on both sides, STUN only', () => {
  test.use({ labOptions: { a: 'cone', b: 'cone', turn: false } })

  test('connects directly through a server-reflexive pair, and keeps chatting without the relay', async ({ lab }) => {
    const { alice, bob } = await meet(lab, 'cone/cone, STUN')
    await expectBoth(alice, bob, 'Direct')
    // the pair in use runs between the two routers' public addresses: no TURN, no host address
    const path = await icePathTo(bob.page, alice.peerId)
    console.log(`[figure] cone/cone, STUN: ICE pair (Bob's / Alice's): ${path}`)
    expect(path).not.toContain('relay')
    expect(path).toMatch(/ (srflx|prflx) udp 203\.0\.113\.10:\d+$/)

    await lab.stopRelay()
    await sendMessage(bob.page, 'still here without the relay')
    await expectDelivered(bob.page, 'still here without the relay')
    await expect(messageLog(alice.page)).toContainText('still here without the relay')
    await sendMessage(alice.page, 'me too')
    await expectDelivered(alice.page, 'me too')
    await expect(messageLog(bob.page)).toContainText('me too')
    await expectBoth(alice, bob, 'Direct')
  })
})

test.describe('cone NAT on both sides, STUN only: the direct path dies', () => {
  test.use({ labOptions: { a: 'cone', b: 'cone', turn: false } })

  test('falls back to the relay by itself and loses nothing, then goes direct again once the path is back', async ({ lab }) => {
    // the upgrade attempts back off (15 s, 30 s, ...) and each waits out ICE while the path is cut
    test.setTimeout(300_000)
    const { alice, bob } = await meet(lab, 'cone/cone, STUN, before the cut')
    await expectBoth(alice, bob, 'Direct')

    // the circuit the signaling went through is gone, as once the relay's limits end it;
    // the WebRTC connection stays open while ICE says its path is down, and libp2p hands
    // it back to a dial that does not force a new one: the redial must, and the relay
    // must carry the chat meanwhile
    await closeConnections(bob.page, alice.peerId, 'Relayed')
    await lab.setDirectPath(false)
    const cut = Date.now()
    await sendMessage(bob.page, 'sent as the path died')
    await expectBoth(alice, bob, 'Relayed')
    console.log(`[figure] cone/cone, STUN: direct path cut to Relayed on both sides: ${Date.now() - cut} ms`)
    await expectDelivered(bob.page, 'sent as the path died')
    await sendMessage(alice.page, 'over the relay now')
    await expectDelivered(alice.page, 'over the relay now')
    await expect(messageLog(bob.page)).toContainText('over the relay now')
    await expect(messageLog(alice.page).locator('li.in .text', { hasText: /^sent as the path died$/ })).toHaveCount(1)

    // the dead connection goes (the pings would drop it within half a minute), so only
    // the relay carries the chat; the ladder keeps trying the top rung, and once the
    // path is back the chat moves there
    await closeConnections(bob.page, alice.peerId, 'WebRTC')
    await expect(connection(bob.page)).toHaveText('Relayed')
    await lab.setDirectPath(true)
    const mended = Date.now()
    await expect(connection(bob.page)).toHaveText('Direct', { timeout: 150_000 })
    console.log(`[figure] cone/cone, STUN: path mended to Direct again (upgrade attempts with back-off): ${Date.now() - mended} ms`)
    await sendMessage(bob.page, 'direct again')
    await expectDelivered(bob.page, 'direct again')
    await expect(messageLog(alice.page)).toContainText('direct again')
  })
})

test.describe('symmetric NAT on both sides', () => {
  test.describe('with TURN', () => {
    test.use({ labOptions: { a: 'symmetric', b: 'symmetric', turn: true } })

    test('connects through TURN and says so', async ({ lab }) => {
      const { alice, bob } = await meet(lab, 'symmetric/symmetric, TURN')
      await expectBoth(alice, bob, 'TURN')
      const path = await icePathTo(bob.page, alice.peerId)
      console.log(`[figure] symmetric/symmetric, TURN: ICE pair (Bob's / Alice's): ${path}`)
      expect(path).toMatch(/relay/)
    })
  })

  test.describe('without TURN', () => {
    test.use({ labOptions: { a: 'symmetric', b: 'symmetric', turn: false } })

    test('chats over the relayed connection and says Relayed', async ({ lab }) => {
      const { alice, bob } = await meet(lab, 'symmetric/symmetric, no TURN')
      await expectBoth(alice, bob, 'Relayed')
      // no WebRTC connection came up: the relay carried the chat
      expect(await icePathTo(bob.page, alice.peerId)).toBe('')
      await sendMessage(bob.page, 'second message over the relay')
      await expectDelivered(bob.page, 'second message over the relay')
      await expect(messageLog(alice.page)).toContainText('second message over the relay')
    })
  })
})

test.describe('cone NAT and symmetric NAT, with TURN', () => {
  test.use({ labOptions: { a: 'cone', b: 'symmetric', turn: true } })

  test('connects browser to browser, through TURN or directly, whichever ICE picks', async ({ lab }) => {
    const { alice, bob } = await meet(lab, 'cone/symmetric, TURN')
    await expect(connection(bob.page)).toHaveText(/^(Direct|TURN)$/)
    const path = await icePathTo(bob.page, alice.peerId)
    expect(path).not.toBe('')
    // the indicator tells the truth about the pair in use; read after the path, and
    // given time to follow it, since ICE may move to a better pair while the path is read
    const shown = path.includes('relay') ? 'TURN' : 'Direct'
    await expect(connection(bob.page)).toHaveText(shown)
    console.log(`[figure] cone/symmetric, TURN: path taken: ${shown} (${path})`)
  })
})

test.describe('UDP blocked at one router', () => {
  test.describe('without TURN', () => {
    test.use({ labOptions: { a: 'udp-blocked', b: 'cone', turn: false } })

    test('chats over the relayed connection and says Relayed', async ({ lab }) => {
      const { alice, bob } = await meet(lab, 'UDP blocked/cone, no TURN')
      await expectBoth(alice, bob, 'Relayed')
      expect(await icePathTo(bob.page, alice.peerId)).toBe('')
    })
  })

  test.describe('with TURN', () => {
    test.use({ labOptions: { a: 'udp-blocked', b: 'cone', turn: true } })

    test('connects through TURN over TCP', async ({ lab }) => {
      const { alice, bob } = await meet(lab, 'UDP blocked/cone, TURN')
      await expectBoth(alice, bob, 'TURN')
      // from behind the blocking router, only TCP reaches the TURN server
      const path = await icePathTo(alice.page, bob.peerId)
      console.log(`[figure] UDP blocked/cone, TURN: ICE pair (Alice's / Bob's): ${path}`)
      expect(path).toMatch(/^relay \/ \w+ tcp /)
    })
  })
})
