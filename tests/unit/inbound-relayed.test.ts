/**
 * Several friends dialing one browser through its relay at the same moment
 * (a link opened by a group at once): every relayed connection comes from
 * the relay's address, and the browser must not count them as one host
 * flooding it. Node stand-ins with the browser node's own connection manager
 * settings, against the real relay.
 */
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONNECTION_MANAGER } from '../../src/lib/p2p/connection-manager.ts'
import { circuitAddrs, createClient, reserveOn, startTestRelay, waitFor, type TestRelay } from '../relay-clients.ts'

/** More than libp2p's default of 5 a second per host, fewer than its 10 pending upgrades. */
const FRIENDS = 8

let server: TestRelay
let browser: Libp2p
const friends: Libp2p[] = []

beforeAll(async () => {
  server = await startTestRelay()
  browser = await createClient({ connectionManager: CONNECTION_MANAGER })
  await reserveOn(browser, server.relay)
  for (let i = 0; i < FRIENDS; i++) {
    const friend = await createClient()
    // each already holds its relay connection, as a browser does once its page has started
    await friend.dial(multiaddr(server.relay.multiaddrs[0]))
    friends.push(friend)
  }
}, 60_000)

afterAll(async () => {
  await Promise.allSettled([browser, ...friends].map(async node => { await node?.stop() }))
  await server?.cleanup()
}, 30_000)

describe('relayed connections to a browser', () => {
  it(`are all accepted when ${FRIENDS} friends dial at the same moment`, async () => {
    const target = multiaddr(circuitAddrs(browser, server.relay)[0])
    const results = await Promise.allSettled(friends.map(async friend => await friend.dial(target, { signal: AbortSignal.timeout(20_000) })))
    const refused = results.filter(r => r.status === 'rejected').map(r => String((r as PromiseRejectedResult).reason))
    expect(refused).toEqual([])
    // the browser's side of each upgrade ends a moment after the friend's
    const everyone = [server.relay.peerId, ...friends.map(f => f.peerId.toString())].sort()
    const connected = (): string[] => [...new Set(browser.getConnections().map(c => c.remotePeer.toString()))].sort()
    await waitFor(() => connected().length === everyone.length, 'the browser to hold every connection', 10_000).catch(() => {})
    expect(connected()).toEqual(everyone)
  }, 30_000)
})
