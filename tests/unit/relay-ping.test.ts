import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { InvalidMessageError, type Stream } from '@libp2p/interface'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { answerPing } from '../../relay/ping-responder.ts'
import { PING_PROTOCOL, PING_STREAM_MAX_BYTES } from '../../relay/constants.ts'
import { startRelay } from '../../relay/relay.ts'

/** A ping stream that delivers `chunks`, records what is echoed, and ends. */
function fakePingStream (chunks: Iterable<Uint8Array>, abort = (): void => { throw new Error('a finished ping must not be aborted') }): { stream: Stream, echoed: Uint8Array[], closed: () => boolean } {
  const echoed: Uint8Array[] = []
  let closed = false
  const stream = {
    status: 'open',
    async * [Symbol.asyncIterator] () { yield * chunks },
    send: (chunk: Uint8Array) => { echoed.push(chunk); return true },
    onDrain: async () => {},
    close: async () => { closed = true },
    abort
  } as unknown as Stream
  return { stream, echoed, closed: () => closed }
}

describe('relay ping responder', () => {
  afterEach(() => { vi.useRealTimers() })

  it('should echo every ping and leave no timer behind once the pinger closes', async () => {
    vi.useFakeTimers()
    const pings = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]
    const { stream, echoed, closed } = fakePingStream(pings)
    await answerPing(stream)
    expect(echoed).toEqual(pings)
    expect(closed()).toBe(true)
    // a pending timer would keep the finished stream in memory until it fired
    expect(vi.getTimerCount()).toBe(0)
  })

  it('should abort a stream that sends more than pings, instead of echoing all of it', async () => {
    const aborted: Error[] = []
    function * flood (): Generator<Uint8Array> {
      // 10 MiB, a peer that does not stop: only the responder should end this early
      for (let i = 0; i < 10_240 && aborted.length === 0; i++) yield new Uint8Array(1024)
    }
    const { stream, echoed } = fakePingStream(flood(), (err?: Error) => { aborted.push(err ?? new Error('aborted')) })
    await answerPing(stream)
    expect(aborted[0]).toBeInstanceOf(InvalidMessageError)
    expect(echoed.reduce((sum, chunk) => sum + chunk.byteLength, 0)).toBeLessThanOrEqual(PING_STREAM_MAX_BYTES)
  })

  it('should answer a libp2p ping through the relay and close the stream after it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerlink-ping-'))
    const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), staticDir: dir })
    const client = await createLibp2p({
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), ping: ping() }
    })
    try {
      const addr = multiaddr(relay.multiaddrs[0])
      for (let i = 0; i < 3; i++) {
        expect(await client.services.ping.ping(addr)).toBeGreaterThanOrEqual(0)
      }
      const conn = relay.node.getConnections(client.peerId)[0]
      await vi.waitFor(() => { expect(conn.streams.filter(s => s.protocol === PING_PROTOCOL)).toHaveLength(0) })
    } finally {
      await client.stop()
      await relay.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
