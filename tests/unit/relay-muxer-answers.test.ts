/**
 * Frames the relay's muxer answers by itself, outside any stream's flow
 * control: a yamux ping's answer, and the reset of a stream past the limit.
 * Each answer is an encryption and a socket write of its own, so a peer that
 * packs thousands of them into one chunk (and reads none of the answers)
 * grew the relay's write buffers without bound. Past a budget
 * (patches/@libp2p+yamux+8.0.3.patch) the relay cuts the peer off, and goes
 * on serving everyone else.
 */
import type { Connection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reserveOn, startTestRelay, TrackedClients, waitFor, type TestRelay } from '../relay-clients.ts'

/** yamux's frame types and flags (the spec's numbers) */
const WINDOW_UPDATE = 1
const PING = 2
const SYN = 1
const ACK = 2
const RST = 8
/** the budget in the patch: answers within one window */
const MAX_ANSWERS = 256

/** Far past the budget, and a trifle for an honest peer's keep-alive (one ping in 30 s). */
const PINGS = 4_000
/** yamux's default limit of inbound streams on the relay, and enough past it to pass the budget */
const STREAM_LIMIT = 1_000
const STREAMS_PAST_LIMIT = 1_000

interface Header { type: number, flag: number, streamID: number, length: number }

/** The parts of js yamux's muxer this test drives directly, as a hostile peer would. */
interface RawMuxer {
  sendFrame: (header: Header) => void
  handleFrame: (frame: { header: Header }) => void
  handlePingResponse: (id: number) => void
}

let server: TestRelay
const clients = new TrackedClients()

/**
 * A connection to the relay whose muxer sends what the test says, takes
 * unasked-for ping answers quietly, and counts the relay's answers: ping
 * acks, and resets of streams it refused.
 */
async function rawConnection (): Promise<{ conn: Connection, muxer: RawMuxer, answers: { acks: number, resets: number } }> {
  const node = await clients.client()
  const conn = await node.dial(multiaddr(server.relay.multiaddrs[0]))
  const muxer = (conn as unknown as { muxer: RawMuxer }).muxer
  // our own muxer would take the relay's answers for a protocol error and close the connection itself
  muxer.handlePingResponse = () => {}
  const answers = { acks: 0, resets: 0 }
  const handleFrame = muxer.handleFrame.bind(muxer)
  muxer.handleFrame = frame => {
    const { type, flag } = frame.header
    if (type === PING && flag === ACK) answers.acks++
    if (type === WINDOW_UPDATE && (flag & RST) !== 0) answers.resets++
    handleFrame(frame)
  }
  return { conn, muxer, answers }
}

async function stillServing (): Promise<void> {
  const res = await fetch(`${server.relay.url}/healthz`)
  expect(res.status).toBe(200)
  const fresh = await clients.client()
  await reserveOn(fresh, server.relay)
}

beforeAll(async () => {
  server = await startTestRelay()
}, 30_000)

afterAll(async () => {
  await clients.stopAll()
  await server?.cleanup()
}, 30_000)

describe('relay: frames its muxer answers by itself', () => {
  it('should cut off a peer that floods pings, and go on serving', async () => {
    const { conn, muxer, answers } = await rawConnection()
    for (let id = 0; id < PINGS; id++) muxer.sendFrame({ type: PING, flag: SYN, streamID: 0, length: id })
    await waitFor(() => conn.status !== 'open', 'the relay to close the flooding connection')
    // answered up to the budget, not one answer per ping
    expect(answers.acks).toBeGreaterThan(0)
    expect(answers.acks).toBeLessThanOrEqual(MAX_ANSWERS)
    await stillServing()
  }, 30_000)

  it('should cut off a peer that opens streams far past the limit, and go on serving', async () => {
    const { conn, muxer, answers } = await rawConnection()
    // odd ids: streams the dialing side opens
    for (let i = 0; i < STREAM_LIMIT + STREAMS_PAST_LIMIT; i++) {
      muxer.sendFrame({ type: WINDOW_UPDATE, flag: SYN, streamID: 1001 + 2 * i, length: 0 })
    }
    await waitFor(() => conn.status !== 'open', 'the relay to close the flooding connection')
    expect(answers.resets).toBeGreaterThan(0)
    // the budget's resets and a few of libp2p's own, for streams it gave up on (266 seen in
    // one run); without the budget, one per stream sent (2,001 of 2,000)
    expect(answers.resets).toBeLessThan(STREAM_LIMIT)
    await stillServing()
  }, 30_000)
})
