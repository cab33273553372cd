// Node 20 has no global WebSocket for the dialing side; the relay's shim provides it
import '../../relay/polyfill.ts'
import '../../relay/ws-compat.ts'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { webSockets } from '@libp2p/websockets'
import { byteStream } from '@libp2p/utils'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { Liveness } from '../../src/lib/p2p/liveness.ts'
import type { PeerlinkNode } from '../../src/lib/p2p/node.ts'
import type { Connection, Libp2p, Stream } from '@libp2p/interface'

type Mode = 'echo' | 'refuse' | 'slow' | 'late-refuse'

/**
 * Two real Node libp2p nodes over WebSockets on loopback. The answering side
 * handles the ping protocol itself, so a test can make it echo, refuse
 * (reset the stream), echo late or refuse late, and count the pings it was sent.
 */
async function pair (): Promise<{ pinger: Libp2p, conn: Connection, setMode: (m: Mode) => void, pings: () => number, stop: () => Promise<void> }> {
  let mode: Mode = 'echo'
  let pings = 0
  const base = { transports: [webSockets()], connectionEncrypters: [noise()], streamMuxers: [yamux()], connectionMonitor: { enabled: false } }
  const answerer = await createLibp2p({ ...base, addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] } })
  await answerer.handle('/ipfs/ping/1.0.0', async (stream: Stream) => {
    pings++
    if (mode === 'late-refuse') await new Promise(resolve => setTimeout(resolve, 300))
    if (mode === 'refuse' || mode === 'late-refuse') {
      stream.abort(new Error('refused by the test'))
      return
    }
    const bytes = byteStream(stream)
    const data = await bytes.read({ bytes: 32 })
    if (mode === 'slow') await new Promise(resolve => setTimeout(resolve, 300))
    await bytes.write(data.subarray())
    await stream.close()
  })
  const pinger = await createLibp2p(base)
  const conn = await pinger.dial(answerer.getMultiaddrs()[0])
  return {
    pinger,
    conn,
    setMode: m => { mode = m },
    pings: () => pings,
    stop: async () => { await Promise.all([pinger.stop(), answerer.stop()]) }
  }
}

describe('Liveness', () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => { for (const fn of cleanup.splice(0)) await fn() })

  it('keeps a connection that answers, survives one missed ping, and aborts after two in a row', async () => {
    const { pinger, conn, setMode, pings, stop } = await pair()
    cleanup.push(stop)
    const dead: Connection[] = []
    const liveness = new Liveness(pinger as unknown as PeerlinkNode, { onDead: c => { dead.push(c) } })

    await liveness.check()
    expect(pings()).toBe(1)
    expect(conn.status).toBe('open')

    // a miss, then an answer: the count starts over
    setMode('refuse')
    await liveness.check()
    setMode('echo')
    await liveness.check()
    setMode('refuse')
    await liveness.check()
    expect(conn.status).toBe('open')
    expect(dead).toHaveLength(0)

    // the second miss in a row
    await liveness.check()
    expect(dead).toEqual([conn])
    expect(conn.status).not.toBe('open')
    expect(pings()).toBe(5)
  })

  it('never has two pings of one connection in flight', async () => {
    const { pinger, conn, setMode, pings, stop } = await pair()
    cleanup.push(stop)
    const liveness = new Liveness(pinger as unknown as PeerlinkNode)
    setMode('slow')
    await Promise.all([liveness.check(), liveness.check(), liveness.check()])
    expect(pings()).toBe(1)
    expect(conn.status).toBe('open')
  })

  it('asks again at once after a miss when told the connection is likely dead (a wake-up, the network back), and aborts it then', async () => {
    const { pinger, conn, setMode, pings, stop } = await pair()
    cleanup.push(stop)
    const dead: Connection[] = []
    const liveness = new Liveness(pinger as unknown as PeerlinkNode, { onDead: c => { dead.push(c) } })
    setMode('refuse')
    await liveness.check({ soon: true })
    expect(pings()).toBe(2)
    expect(dead).toEqual([conn])
  })

  it('asks again at once also when the miss is of a ping already under way as it was told', async () => {
    const { pinger, conn, setMode, pings, stop } = await pair()
    cleanup.push(stop)
    const liveness = new Liveness(pinger as unknown as PeerlinkNode)
    setMode('late-refuse')
    // the regular ping, under way when the network comes back
    const regular = liveness.check()
    await new Promise(resolve => setTimeout(resolve, 50))
    await liveness.check({ soon: true })
    await regular
    expect(pings()).toBe(2)
    expect(conn.status).not.toBe('open')
  })

  it('does not ask again when the connection answers', async () => {
    const { pinger, conn, pings, stop } = await pair()
    cleanup.push(stop)
    const liveness = new Liveness(pinger as unknown as PeerlinkNode)
    await liveness.check({ soon: true })
    await liveness.check()
    expect(pings()).toBe(2)
    expect(conn.status).toBe('open')
  })
})
