import 'fake-indexeddb/auto'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import type { Connection } from '@libp2p/interface'
import { connection, FakeNode, FRIEND, RELAY, startMessenger, stopMessenger } from './fixtures/messenger-node.ts'

/** The relay a lookup once found the friend on; it has since gone down. */
const GONE = multiaddr('/ip4/127.0.0.1/tcp/9091/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN')

afterEach(stopMessenger)

/** A direct connection made through `relay`: on the dialing side its remote address names that relay. */
function directThrough (addr: Multiaddr): Connection {
  return Object.assign(connection('webrtc').conn, { remoteAddr: addr })
}

describe('messenger: where to look for a friend first', () => {
  it('should stop dialing through a relay the friend has left once it was reached through another', async () => {
    const node = new FakeNode()
    node.answer = addr => addr.toString().startsWith(GONE.toString()) ? new Error('relay unreachable') : directThrough(addr)
    const { messenger } = await startMessenger(node)
    const dialedFirst = (): string => String(node.dial.mock.calls[0]?.[0])

    // the conversation remembers the relay the friend was found on; the friend is back on ours
    messenger.watch(FRIEND.toString(), GONE.toString())
    // joins the dial watch() started, and returns once it is over
    await messenger.connect(FRIEND.toString())
    expect(messenger.linkState(FRIEND.toString())).toBe('direct')
    expect(dialedFirst().startsWith(GONE.toString())).toBe(true)

    // the connection is gone; the next dial goes where the friend was reached, not through the dead relay first
    for (const conn of node.conns) Object.assign(conn, { status: 'closed' })
    node.dial.mockClear()
    await messenger.connect(FRIEND.toString())
    expect(dialedFirst().startsWith(RELAY.toString())).toBe(true)
    expect(node.dial.mock.calls.some(([addr]) => addr.toString().startsWith(GONE.toString()))).toBe(false)
  })
})
