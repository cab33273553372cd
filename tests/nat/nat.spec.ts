import { connection, expect, expectDelivered, icePathTo, messageLog, openPeer, sendMessage, test, type LabPeer } from './fixtures.ts'
import type { NatLab } from './lab.ts'

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
    const shown = await connection(bob.page).textContent()
    const path = await icePathTo(bob.page, alice.peerId)
    console.log(`[figure] cone/symmetric, TURN: path taken: ${shown ?? ''} (${path})`)
    expect(path).not.toBe('')
    // the indicator tells the truth about the pair in use
    expect(path.includes('relay')).toBe(shown === 'TURN')
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
