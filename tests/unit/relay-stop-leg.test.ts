/**
 * The STOP leg of a hop: the stream the relay opens to the peer being dialed.
 *
 * Its answer is read with the same reader as the hop requests it guards
 * (frame-guard.ts): one that takes any declared length and buffers up to
 * 4 MiB per stream. A peer holding a reservation could have others dial it,
 * hundreds of STOP streams at once, and answer each with a few MiB, for the
 * whole hop timeout. The relay reads that answer with a cap (a patch of
 * @libp2p/circuit-relay-v2), so it refuses one as its length arrives.
 *
 * It goes over a connection that can still carry it (the same patch). The
 * library took the first one listed, even with its muxer closed and its
 * socket not yet, and then told the dialer MALFORMED_MESSAGE. The tests put
 * the relay's own connection to the target in that state, as a closing
 * connection leaves it. The newest connection goes first, and while another
 * is left, each gets 4 s of the hop's 30 s: a dead one (its network gone, no
 * FIN) never answers.
 */
import type { Connection, Libp2p } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { circuitAddrs, reserveOn, startTestRelay, TrackedClients, waitFor, type TestRelay } from '../relay-clients.ts'
import { varint } from '../relay-raw.ts'

const STOP = '/libp2p/circuit/relay/0.2.0/stop'
const MIB = 1024 * 1024
/** what the relay gives one STOP attempt while the target has another connection (the patch's STOP_ATTEMPT_TIMEOUT_MS) */
const STOP_SHARE_MS = 4_000
/** Well under the relay's 30 s hop timeout: a relay still reading the answer then has not refused it. */
const DIAL_LIMIT_MS = 10_000
/** past the dial's limit, so a relay that holds on fails with the dial's error, not the runner's */
const TEST_TIMEOUT_MS = 3 * DIAL_LIMIT_MS

let relay: TestRelay | undefined
const clients = new TrackedClients()

afterEach(async () => {
  await clients.stopAll()
  await relay?.cleanup()
  relay = undefined
})

interface Reserved { node: Libp2p, circuit: Multiaddr, atRelay: () => Connection[] }

/** A client holding a reservation on `on`: its circuit address, and the relay's connections to it. */
async function reservedClient (on: TestRelay): Promise<Reserved> {
  const node = await clients.client()
  await reserveOn(node, on.relay)
  return { node, circuit: multiaddr(circuitAddrs(node, on.relay)[0]), atRelay: () => on.relay.node.getConnections(node.peerId) }
}

/** A new client (libp2p's own dial limits, as a browser has) dialing `target` through the relay. */
async function dialFromNewClient (target: Reserved): Promise<Connection> {
  const dialer = await clients.client()
  return await dialer.dial(target.circuit, { signal: AbortSignal.timeout(DIAL_LIMIT_MS) })
}

describe('the relay reading a STOP answer', () => {
  it('should refuse an answer that declares more than any STOP message, and fail that circuit at once', async () => {
    relay = await startTestRelay()
    const target = await reservedClient(relay)
    // the target's own STOP handler, replaced by one that declares a MiB and sends no more of it
    await target.node.handle(STOP, async (stream) => {
      stream.send(varint(MIB))
    }, { force: true, runOnLimitedConnection: true })
    const dialer = await clients.client()
    // refused by the relay (CONNECTION_FAILED), not left waiting for a MiB until the dial gives up
    await expect(dialer.dial(target.circuit, { signal: AbortSignal.timeout(DIAL_LIMIT_MS) })).rejects.toThrow(/CONNECTION_FAILED/)
    // the relay goes on: an honest target is reached through it
    const honest = await reservedClient(relay)
    const conn = await dialer.dial(honest.circuit, { signal: AbortSignal.timeout(DIAL_LIMIT_MS) })
    expect(conn.remotePeer.equals(honest.node.peerId)).toBe(true)
  }, TEST_TIMEOUT_MS)
})

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
    const target = await reservedClient(relay)
    closeMuxerOnly(target.atRelay()[0])
    await expect(dialFromNewClient(target)).rejects.toThrow(/CONNECTION_FAILED/)
  }, TEST_TIMEOUT_MS)

  it('should reach the peer over its other open connection', async () => {
    relay = await startTestRelay()
    const target = await reservedClient(relay)
    // a second connection from the target, as a browser that reconnected before the old one closed
    await target.node.dial(multiaddr(relay.relay.multiaddrs[0]), { force: true })
    await waitFor(() => target.atRelay().length === 2, 'the second connection at the relay')
    // the one the library picks
    closeMuxerOnly(target.atRelay()[0])
    const conn = await dialFromNewClient(target)
    expect(conn.remotePeer.equals(target.node.peerId)).toBe(true)
  }, TEST_TIMEOUT_MS)
})

/** The path under `connection` is gone: nothing sent on it arrives (a socket with no FIN, as when a network goes away). */
function goneSilent (connection: Connection): void {
  const muxer = (connection as unknown as { muxer?: { handleFrame: (frame: unknown) => void } }).muxer
  if (muxer == null) throw new Error('this libp2p version keeps its muxer elsewhere: the test needs a new way in')
  muxer.handleFrame = () => {}
}

/** A target with two connections to the relay: the one it had, and a newer one (a phone that changed networks). */
async function reconnectedClient (on: TestRelay): Promise<Reserved & { old: Connection, fresh: Connection }> {
  const target = await reservedClient(on)
  const relayPeer = on.relay.node.peerId
  const [old] = target.node.getConnections(relayPeer)
  const fresh = await target.node.dial(multiaddr(on.relay.multiaddrs[0]), { force: true })
  await waitFor(() => target.atRelay().length === 2, 'the second connection at the relay')
  return { ...target, old, fresh }
}

describe('a hop to a peer that came back on a new connection while its old one still looks open', () => {
  it('should reach the peer over the newest connection, not wait out the hop on the old one', async () => {
    relay = await startTestRelay()
    const target = await reconnectedClient(relay)
    goneSilent(target.old)
    const conn = await dialFromNewClient(target)
    expect(conn.remotePeer.equals(target.node.peerId)).toBe(true)
  }, TEST_TIMEOUT_MS)

  it('should go on to the older connection when the newest one does not answer in its share of the hop', async () => {
    relay = await startTestRelay()
    const target = await reconnectedClient(relay)
    // the other way round: the new network went away, and the old connection still works
    goneSilent(target.fresh)
    // libp2p gives up on an address after 6 s, and the relay would have
    // waited out its hop's 30 s on the newest connection
    const conn = await dialFromNewClient(target)
    expect(conn.remotePeer.equals(target.node.peerId)).toBe(true)
  }, TEST_TIMEOUT_MS)

  it('should go on to the older connection when the newest one dies while its STOP request waits', async () => {
    relay = await startTestRelay()
    const target = await reconnectedClient(relay)
    goneSilent(target.fresh)
    // a moment into the request, the relay finds the newest connection dead (its ping got no answer)
    const [newest] = target.atRelay().sort((a, b) => b.timeline.open - a.timeline.open)
    setTimeout(() => { newest.abort(new Error('test: no answer to a ping')) }, STOP_SHARE_MS / 4)
    const conn = await dialFromNewClient(target)
    expect(conn.remotePeer.equals(target.node.peerId)).toBe(true)
  }, TEST_TIMEOUT_MS)
})
