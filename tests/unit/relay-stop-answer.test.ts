/**
 * The relay opens a STOP stream to the peer a circuit goes to, and reads its
 * answer with the same reader as the hop requests it guards (frame-guard.ts):
 * one that takes any declared length and buffers up to 4 MiB per stream. A
 * peer holding a reservation could have others dial it, hundreds of STOP
 * streams at once, and answer each with a few MiB, for the whole hop
 * timeout. The relay reads that answer with a cap (a patch of
 * @libp2p/circuit-relay-v2), so it refuses one as its length arrives.
 */
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { circuitAddrs, createClient, reserveOn, startTestRelay, type TestRelay } from '../relay-clients.ts'
import { varint } from '../relay-raw.ts'

const STOP = '/libp2p/circuit/relay/0.2.0/stop'
const MIB = 1024 * 1024
/** Well under the relay's 30 s hop timeout: a relay still reading the answer then has not refused it. */
const DIAL_LIMIT_MS = 10_000
/** past the dial's limit, so a relay that holds on fails with the dial's error, not the runner's */
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

describe('the relay reading a STOP answer', () => {
  it('should refuse an answer that declares more than any STOP message, and fail that circuit at once', async () => {
    relay = await startTestRelay()
    const target = await client()
    await reserveOn(target, relay.relay)
    // the target's own STOP handler, replaced by one that declares a MiB and sends no more of it
    await target.handle(STOP, async (stream) => {
      stream.send(varint(MIB))
    }, { force: true, runOnLimitedConnection: true })
    const dialer = await client()
    const circuit = multiaddr(circuitAddrs(target, relay.relay)[0])
    // refused by the relay (CONNECTION_FAILED), not left waiting for a MiB until the dial gives up
    await expect(dialer.dial(circuit, { signal: AbortSignal.timeout(DIAL_LIMIT_MS) })).rejects.toThrow(/CONNECTION_FAILED/)
    // the relay goes on: an honest target is reached through it
    const honest = await client()
    await reserveOn(honest, relay.relay)
    const conn = await dialer.dial(multiaddr(circuitAddrs(honest, relay.relay)[0]), { signal: AbortSignal.timeout(DIAL_LIMIT_MS) })
    expect(conn.remotePeer.equals(honest.peerId)).toBe(true)
  }, TEST_TIMEOUT_MS)
})
