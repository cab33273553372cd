/**
 * A hop's STOP stream goes to the peer being dialed over a connection that
 * can still carry it (relay/stop-hop.ts). The library took the first one
 * listed, even with its muxer closed and its socket not yet, and then told
 * the dialer MALFORMED_MESSAGE. Here the relay's own connection to the target
 * is put in that state, as a failed ping leaves it.
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { circuitAddrs, createClient, reserveOn, startTestRelay, waitFor, type TestRelay } from '../relay-clients.ts'

/** Well under the relay's 30 s hop timeout: the answer comes at once or not at all. */
const DIAL_LIMIT_MS = 10_000
const TEST_TIMEOUT_MS = 3 * DIAL_LIMIT_MS

let relay: TestRelay | undefined
const clients: Libp2p[] = []

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map(async c => { await c.stop() }))
  await relay?.cleanup()
  relay = undefined
})

async function client (): Promise<Libp2p> {
  const node = await createClient()
  clients.push(node)
  return node
}

/** The connection's muxer closed under it, its socket still open: what the library lists until the socket's close comes. */
function closeMuxerOnly (connection: Connection): void {
  const internals = connection as unknown as { muxer?: { abort: (err: Error) => void, status: string } }
  if (internals.muxer == null) throw new Error('this libp2p version keeps its muxer elsewhere: the test needs a new way in')
  internals.muxer.abort(new Error('test: the muxer went first'))
  expect(internals.muxer.status).toBe('closed')
  expect(connection.status).toBe('open')
}

describe('a hop to a peer whose first connection to the relay is closing', () => {
  it('should answer CONNECTION_FAILED, not blame the dialer with MALFORMED_MESSAGE, when no other connection can carry it', async () => {
    relay = await startTestRelay()
    const node = relay.relay.node
    const target = await client()
    await reserveOn(target, relay.relay)
    const circuit = multiaddr(circuitAddrs(target, relay.relay)[0])
    closeMuxerOnly(node.getConnections(target.peerId)[0])
    const dialer = await client()
    await expect(dialer.dial(circuit, { signal: AbortSignal.timeout(DIAL_LIMIT_MS) })).rejects.toThrow(/CONNECTION_FAILED/)
  }, TEST_TIMEOUT_MS)

  it('should reach the peer over its other open connection', async () => {
    relay = await startTestRelay()
    const node = relay.relay.node
    const target = await client()
    await reserveOn(target, relay.relay)
    const circuit = multiaddr(circuitAddrs(target, relay.relay)[0])
    // a second connection from the target, as a browser that reconnected before the old one closed
    await target.dial(multiaddr(relay.relay.multiaddrs[0]), { force: true })
    await waitFor(() => node.getConnections(target.peerId).length === 2, 'the second connection at the relay')
    // the one the library picks
    closeMuxerOnly(node.getConnections(target.peerId)[0])
    const dialer = await client()
    const conn = await dialer.dial(circuit, { signal: AbortSignal.timeout(DIAL_LIMIT_MS) })
    expect(conn.remotePeer.equals(target.peerId)).toBe(true)
  }, TEST_TIMEOUT_MS)
})
