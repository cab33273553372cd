import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p, type Libp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  chat,
  CHAT_PROTOCOL,
  MESSAGE_ID_BYTES,
  ChatNotStartedError,
  NotConnectedError,
  selectConnection,
  type Chat,
  type ChatFrame,
  type ChatFrameEvent
} from '../../src/lib/p2p/chat/index.ts'
import { encodeFrame } from '../../src/lib/p2p/chat/index.ts'
import { lengthPrefixed } from '../../src/lib/p2p/chat/frames.ts'
import { UnsupportedProtocolError } from '@libp2p/interface'
import type { ComponentLogger, Connection, Logger, PeerId, Startable, Stream, StreamCloseEvent } from '@libp2p/interface'

type Node = Libp2p<{ chat: Chat }>

// @libp2p/websockets dials with the global WebSocket, which Node 20 only has
// behind --experimental-websocket (Node 22 has it by default), so borrow the
// one from `ws`, which implements the same API. A variable specifier keeps
// this file type-checking whether or not @types/ws is installed.
if (globalThis.WebSocket == null) {
  const wsModule = 'ws'
  const { WebSocket } = await import(/* @vite-ignore */ wsModule) as { WebSocket: unknown }
  Object.defineProperty(globalThis, 'WebSocket', { value: WebSocket, configurable: true, writable: true })
}

async function createNode (): Promise<Node> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { chat: chat() }
  })
}

let seq = 0
function text (body: string): ChatFrame & { type: 'text' } {
  return { type: 'text', id: crypto.getRandomValues(new Uint8Array(MESSAGE_ID_BYTES)), sentAt: Date.now(), seq: ++seq, text: body }
}

/** Collect `count` frame events on `node` that match `filter`. */
async function collect (node: Node, count: number, filter: (e: ChatFrameEvent) => boolean): Promise<ChatFrameEvent[]> {
  return await new Promise(resolve => {
    const seen: ChatFrameEvent[] = []
    const onFrame = (evt: CustomEvent<ChatFrameEvent>): void => {
      if (!filter(evt.detail)) return
      seen.push(evt.detail)
      if (seen.length === count) {
        node.services.chat.removeEventListener('frame', onFrame)
        resolve(seen)
      }
    }
    node.services.chat.addEventListener('frame', onFrame)
  })
}

async function nextProtocolError (node: Node): Promise<{ from: PeerId, error: Error }> {
  return await new Promise(resolve => {
    node.services.chat.addEventListener('protocol-error', (evt) => { resolve(evt.detail) }, { once: true })
  })
}

function chatStreams (conn: Connection, direction: 'inbound' | 'outbound'): Stream[] {
  return conn.streams.filter(s => s.protocol === CHAT_PROTOCOL && s.direction === direction)
}

/** Polls until `get` finds something (the other side of a connection learns of things a moment later). */
async function until<T> (get: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = get()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

/** `sender` sends a text and `receiver` acks it back; returns the text and the ack as the sender got it. */
async function ackedText (sender: Node, receiver: Node, body: string): Promise<{ frame: ChatFrame & { type: 'text' }, ack: ChatFrameEvent }> {
  const frame = text(body)
  const gotText = collect(receiver, 1, e => e.frame.type === 'text' && e.frame.seq === frame.seq)
  await sender.services.chat.send(receiver.peerId, frame)
  const [event] = await gotText
  const gotAck = collect(sender, 1, e => e.frame.type === 'ack')
  await receiver.services.chat.send(event.from, { type: 'ack', ids: [frame.id] })
  const [ack] = await gotAck
  return { frame, ack }
}

/** Two fresh nodes, `e` connected to `f`, for a test that counts their streams; stopped afterwards. */
async function withPair (test: (e: Node, f: Node, conn: Connection) => Promise<void>): Promise<void> {
  const [e, f] = await Promise.all([createNode(), createNode()])
  try {
    await test(e, f, await e.dial(f.getMultiaddrs()))
  } finally {
    await Promise.all([e.stop(), f.stop()])
  }
}

describe('chat service between two real nodes', () => {
  let a: Node
  let b: Node
  let mallory: Node

  beforeAll(async () => {
    [a, b, mallory] = await Promise.all([createNode(), createNode(), createNode()])
    await a.dial(b.getMultiaddrs())
    await mallory.dial(b.getMultiaddrs())
  })

  afterAll(async () => {
    await Promise.all([a, b, mallory].map(async n => { await n?.stop() }))
  })

  it('should deliver a text to the peer, with from set to the sender', async () => {
    const frame = text('hello B')
    const received = collect(b, 1, e => e.frame.type === 'text' && e.frame.seq === frame.seq)
    await a.services.chat.send(b.peerId, frame)
    const [event] = await received
    expect(event.from.equals(a.peerId)).toBe(true)
    expect(event.connection.remotePeer.equals(a.peerId)).toBe(true)
    expect(event.frame).toEqual(frame)
  })

  it('should deliver an ack back to the sender', async () => {
    const { frame, ack } = await ackedText(a, b, 'please ack')
    expect(ack.from.equals(b.peerId)).toBe(true)
    expect(ack.frame).toEqual({ type: 'ack', ids: [frame.id] })
  })

  it('should read frames the peer writes back on our own outbound stream', async () => {
    await a.services.chat.send(b.peerId, text('opens the stream'))
    const [onB] = b.getConnections(a.peerId)
    const [theirs] = chatStreams(onB, 'inbound').filter(s => s.status === 'open')
    const id = crypto.getRandomValues(new Uint8Array(MESSAGE_ID_BYTES))
    const gotRead = collect(a, 1, e => e.frame.type === 'read')
    theirs.send(lengthPrefixed(encodeFrame({ type: 'read', ids: [id] })))
    const [event] = await gotRead
    expect(event.from.equals(b.peerId)).toBe(true)
    expect(event.frame).toEqual({ type: 'read', ids: [id] })
  })

  it('should answer on the stream the peer opened, without opening one of its own', async () => {
    await withPair(async (e, f) => {
      const { frame, ack } = await ackedText(e, f, 'first words')
      expect(ack.frame).toEqual({ type: 'ack', ids: [frame.id] })
      const [onF] = f.getConnections(e.peerId)
      expect(chatStreams(onF, 'outbound')).toHaveLength(0)
      expect(chatStreams(onF, 'inbound')).toHaveLength(1)
    })
  })

  it('should open the sending stream on prepare, before any frame, and send on it afterwards', async () => {
    await withPair(async (e, f, conn) => {
      const onF = await until(() => f.getConnections(e.peerId)[0])
      e.services.chat.prepare(conn)
      e.services.chat.prepare(conn)
      // the peer sees the stream open with nothing sent on it yet
      await until(() => chatStreams(onF, 'inbound')[0])
      const prepared = chatStreams(conn, 'outbound')
      expect(prepared).toHaveLength(1)
      const frame = text('on the prepared stream')
      const received = collect(f, 1, evt => evt.frame.type === 'text' && evt.frame.seq === frame.seq)
      await e.services.chat.send(f.peerId, frame)
      expect((await received)[0].frame).toEqual(frame)
      expect(chatStreams(conn, 'outbound')).toEqual(prepared)
    })
  })

  it('should keep frame order in a burst of concurrent sends, over one stream', async () => {
    const frames = Array.from({ length: 300 }, (_, i) => text(`burst ${i}`))
    const first = frames[0].seq
    const received = collect(b, frames.length, e => e.frame.type === 'text' && e.frame.seq >= first)
    await Promise.all(frames.map(async f => { await a.services.chat.send(b.peerId, f) }))
    const events = await received
    expect(events.map(e => e.frame)).toEqual(frames)
    const [conn] = a.getConnections(b.peerId)
    expect(chatStreams(conn, 'outbound')).toHaveLength(1)
  })

  it('should keep order through back-pressure with large frames', async () => {
    // 200 x ~45 KiB is far beyond yamux's window, so sends must wait for drain
    const frames = Array.from({ length: 200 }, (_, i) => text(`${i} `.padEnd(15_000, '\u00e9')))
    const first = frames[0].seq
    const received = collect(b, frames.length, e => e.frame.type === 'text' && e.frame.seq >= first)
    for (const f of frames) await a.services.chat.send(b.peerId, f)
    const events = await received
    expect(events.map(e => e.frame.type === 'text' ? e.frame.seq : -1)).toEqual(frames.map(f => f.seq))
  })

  it('should throw NotConnectedError for a peer with no connection, without dialing', async () => {
    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    await expect(a.services.chat.send(stranger, text('anyone?'))).rejects.toThrow(NotConnectedError)
    expect(a.getConnections(stranger)).toHaveLength(0)
  })

  it('should reset a stream that announces an oversized frame, and keep serving others', async () => {
    const conn = mallory.getConnections(b.peerId)[0]
    const raw = await conn.newStream(CHAT_PROTOCOL)
    const reset = new Promise(resolve => { raw.addEventListener('close', resolve, { once: true }) })
    const error = nextProtocolError(b)
    // varint 1 MiB: refused from the prefix alone, no body follows
    raw.send(new Uint8Array([0x80, 0x80, 0x40]))
    const { from } = await error
    expect(from.equals(mallory.peerId)).toBe(true)
    await reset
    expect(raw.status).toBe('reset')

    const frame = text('still there?')
    const received = collect(b, 1, e => e.frame.type === 'text' && e.frame.seq === frame.seq)
    await a.services.chat.send(b.peerId, frame)
    expect((await received)[0].from.equals(a.peerId)).toBe(true)
  })

  it('should reset a stream that sends garbage after good frames, and keep serving others', async () => {
    const conn = mallory.getConnections(b.peerId)[0]
    const raw = await conn.newStream(CHAT_PROTOCOL)
    const reset = new Promise(resolve => { raw.addEventListener('close', resolve, { once: true }) })
    const good = text('from mallory')
    const gotGood = collect(b, 1, e => e.frame.type === 'text' && e.frame.seq === good.seq)
    const error = nextProtocolError(b)
    const garbage = new Uint8Array([0x05, 0xde, 0xad, 0xbe, 0xef, 0x00])
    raw.send(new Uint8Array([...lengthPrefixed(encodeFrame(good)), ...garbage]))
    expect((await gotGood)[0].from.equals(mallory.peerId)).toBe(true)
    expect((await error).from.equals(mallory.peerId)).toBe(true)
    await reset
    expect(raw.status).toBe('reset')

    const frame = text('after the garbage')
    const received = collect(b, 1, e => e.frame.type === 'text' && e.frame.seq === frame.seq)
    await a.services.chat.send(b.peerId, frame)
    expect((await received)[0].frame).toEqual(frame)
  })

  it('should open a new stream after the old one is gone', async () => {
    const [conn] = a.getConnections(b.peerId)
    const [old] = chatStreams(conn, 'outbound')
    old.abort(new Error('test drops the stream'))
    const frame = text('on a fresh stream')
    const received = collect(b, 1, e => e.frame.type === 'text' && e.frame.seq === frame.seq)
    await a.services.chat.send(b.peerId, frame)
    expect((await received)[0].frame).toEqual(frame)
    const open = chatStreams(conn, 'outbound').filter(s => s.status === 'open')
    expect(open).toHaveLength(1)
    expect(open[0]).not.toBe(old)
  })
})

describe('streams a peer closes at once', () => {
  it('should close our end of a stream the peer closed before our handler ran, so neither side keeps it', async () => {
    await withPair(async (e, f, conn) => {
      let received = 0
      f.services.chat.addEventListener('frame', () => { received++ })
      // more than libp2p's 4 streams of a protocol per connection: left open, they would block the next
      for (let i = 0; i < 5; i++) {
        // as chat opens its own: the frame and the close follow the proposal at once
        const raw = await conn.newStream(CHAT_PROTOCOL, { negotiateFully: false })
        raw.send(lengthPrefixed(encodeFrame(text(`one and done ${i}`))))
        await raw.close()
        // released once the other side closes its end too
        await expect.poll(() => raw.status, { timeout: 2_000 }).toBe('closed')
      }
      await expect.poll(() => received, { timeout: 5_000 }).toBe(5)
      const [onF] = f.getConnections(e.peerId)
      await expect.poll(() => onF.streams.filter(s => s.protocol === CHAT_PROTOCOL).length, { timeout: 5_000 }).toBe(0)
    })
  })
})

describe('a stream written and closed at once', () => {
  it('should deliver its frame on a connection just made, where proposal, frame and close reach the peer together', async () => {
    // the peer's handler, busy with the new connection, reads all three at once; its end has
    // ended by the time the proposal is read, and the frame after it used to be reset away.
    // Closing waits for the proposal's answer now (patches/@libp2p+multistream-select)
    for (let round = 0; round < 3; round++) {
      await withPair(async (e, f, conn) => {
        const frame = text(`first and last ${round}`)
        const received = collect(f, 1, evt => evt.frame.type === 'text' && evt.frame.seq === frame.seq)
        const raw = await conn.newStream(CHAT_PROTOCOL, { negotiateFully: false })
        raw.send(lengthPrefixed(encodeFrame(frame)))
        await raw.close()
        expect((await received)[0].frame).toEqual(frame)
        await expect.poll(() => raw.status, { timeout: 2_000 }).toBe('closed')
      })
    }
  })
})

describe('stopping the chat service', () => {
  let c: Node
  let d: Node

  beforeAll(async () => {
    [c, d] = await Promise.all([createNode(), createNode()])
    await c.dial(d.getMultiaddrs())
  })

  afterAll(async () => {
    await Promise.all([c, d].map(async n => { await n?.stop() }))
  })

  it('should close its streams, stop handling the protocol and refuse sends', async () => {
    const received = collect(d, 1, () => true)
    await c.services.chat.send(d.peerId, text('before stop'))
    await received
    const [onC] = c.getConnections(d.peerId)
    const [ours] = chatStreams(onC, 'outbound')
    const [onD] = d.getConnections(c.peerId)
    const [theirs] = chatStreams(onD, 'inbound')
    const released = new Promise(resolve => { theirs.addEventListener('close', resolve, { once: true }) })

    await (c.services.chat as Chat & Startable).stop()
    expect(ours.writeStatus).toBe('closed')
    // the peer closes its end in turn, so the stream is released on both sides
    await released
    await expect(c.services.chat.send(d.peerId, text('after stop'))).rejects.toThrow(ChatNotStartedError)
    // the peer's frame goes out with its protocol proposal, which the stopped
    // service refuses: that stream then ends with the refusal
    await d.services.chat.send(c.peerId, text('anyone?'))
    const [refused] = chatStreams(onD, 'outbound')
    const ended = await new Promise<StreamCloseEvent>(resolve => { refused.addEventListener('close', resolve, { once: true }) })
    expect(ended.error).toBeInstanceOf(UnsupportedProtocolError)
    expect(refused.status).toBe('aborted')
  })
})

/** Just enough of a Connection for selection and for the service's send path. */
function fakeConnection (id: string, limited: boolean, status: 'open' | 'closed' = 'open', openedAt = 0, remotePeer?: PeerId): Connection & { opened: unknown[] } {
  const opened: unknown[] = []
  return {
    id,
    remotePeer,
    status,
    timeline: { open: openedAt },
    limits: limited ? { bytes: 131072n, seconds: 120 } : undefined,
    opened,
    newStream: async (protocol: string, options: unknown) => {
      opened.push(options)
      throw new Error(`fake connection cannot open ${protocol}`)
    }
  } as unknown as Connection & { opened: unknown[] }
}

describe('connection selection', () => {
  const direct = fakeConnection('direct', false)
  const relayed = fakeConnection('relayed', true)
  const closed = fakeConnection('closed', false, 'closed')

  it('should prefer an unlimited connection over a relayed one', () => {
    expect(selectConnection([relayed, direct], true)).toBe(direct)
    expect(selectConnection([relayed, direct], false)).toBe(direct)
  })

  it('should refuse a limited-only peer unless allowLimited', () => {
    expect(selectConnection([relayed], false)).toBeUndefined()
    expect(selectConnection([relayed], true)).toBe(relayed)
  })

  it('should prefer the newest direct connection: after a peer reloads the old one only looks open', () => {
    const stale = fakeConnection('stale', false, 'open', 1000)
    const fresh = fakeConnection('fresh', false, 'open', 2000)
    expect(selectConnection([stale, fresh], false)).toBe(fresh)
    expect(selectConnection([fresh, stale], false)).toBe(fresh)
  })

  it('should ignore connections that are not open', () => {
    expect(selectConnection([closed], true)).toBeUndefined()
    expect(selectConnection([closed, relayed], true)).toBe(relayed)
  })
})

/** A logger that drops everything, without depending on @libp2p/logger. */
function silentLogger (): ComponentLogger {
  const log = Object.assign(() => {}, { enabled: false, error: () => {}, trace: () => {} })
  const withScope = Object.assign(log, { newScope: () => withScope }) as unknown as Logger
  return { forComponent: () => withScope }
}

describe('chat service on a limited-only connection', () => {
  it('should refuse to send unless allowLimited, then open the stream for a limited connection', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const relayed = fakeConnection('relayed', true)
    const service = chat()({
      registrar: { handle: async () => {}, unhandle: async () => {} },
      connectionManager: { getConnections: () => [relayed] },
      logger: silentLogger()
    }) as Chat & { start(): Promise<void> }
    await service.start()
    await expect(service.send(peer, text('relay?'))).rejects.toThrow(NotConnectedError)
    expect(relayed.opened).toHaveLength(0)
    await expect(service.send(peer, text('relay!'), { allowLimited: true })).rejects.toThrow('fake connection')
    expect(relayed.opened).toEqual([expect.objectContaining({ runOnLimitedConnection: true })])
  })
})

describe('chat service told which connection to use', () => {
  /** A service whose peer has a direct connection (chat's own pick) and a relayed one. */
  async function withTwoConnections (status: 'open' | 'closed' = 'open'): Promise<{ service: Chat, peer: PeerId, direct: ReturnType<typeof fakeConnection>, relayed: ReturnType<typeof fakeConnection> }> {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const direct = fakeConnection('direct', false, 'open', 2000, peer)
    const relayed = fakeConnection('relayed', true, status, 1000, peer)
    const service = chat()({
      registrar: { handle: async () => {}, unhandle: async () => {} },
      connectionManager: { getConnections: () => [direct, relayed] },
      logger: silentLogger()
    }) as Chat & { start(): Promise<void> }
    await service.start()
    return { service, peer, direct, relayed }
  }

  it('should write on the given connection, not on the one it would pick itself', async () => {
    const { service, peer, direct, relayed } = await withTwoConnections()
    await expect(service.send(peer, text('via the carrier'), { connection: relayed })).rejects.toThrow('fake connection')
    expect(relayed.opened).toHaveLength(1)
    expect(direct.opened).toHaveLength(0)
  })

  it('should refuse a given connection that is closed, without falling back to another', async () => {
    const { service, peer, direct, relayed } = await withTwoConnections('closed')
    await expect(service.send(peer, text('gone'), { connection: relayed })).rejects.toThrow(NotConnectedError)
    expect(direct.opened).toHaveLength(0)
  })

  it('should refuse a given connection to another peer', async () => {
    const { service, relayed } = await withTwoConnections()
    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    await expect(service.send(stranger, text('not for you'), { connection: relayed })).rejects.toThrow(TypeError)
    expect(relayed.opened).toHaveLength(0)
  })
})
