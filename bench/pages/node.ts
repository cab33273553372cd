/**
 * A real Peerlink libp2p node (src/lib/p2p/node.ts, the app's own
 * configuration) on a bench page, with two bench-only protocols: echo for
 * round trips and bulk for throughput over one stream of the direct
 * WebRTC connection.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { drained } from '../../src/lib/p2p/chat/frames.ts'
import { dialDirect } from '../../src/lib/p2p/dial.ts'
import { createPeerlinkNode, type PeerlinkNode } from '../../src/lib/p2p/node.ts'
import { BULK_CHUNK_BYTES, BULK_MARKS, BULK_PROTOCOL, ECHO_PROTOCOL, PING_BYTES } from './protocol.ts'
import type { Stream } from '@libp2p/interface'

/** A reservation normally lands within a second or two; this much means it will not. */
const RESERVATION_TIMEOUT_MS = 20_000
const POLL_MS = 20

let node: PeerlinkNode | undefined
let relayAddr = ''

function need (): PeerlinkNode {
  if (node == null) throw new Error('node not started')
  return node
}

function byteLength (data: { byteLength: number }): number {
  return data.byteLength
}

/** Echo every byte back. */
function onEcho (stream: Stream): void {
  stream.addEventListener('message', evt => { stream.send(evt.data) })
}

/** Count what arrives; the first 8 bytes say how much to expect; answer one byte when all is in. */
function onBulk (stream: Stream): void {
  let expected = -1
  let received = 0
  stream.addEventListener('message', evt => {
    let n = byteLength(evt.data)
    if (expected < 0) {
      const head = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray(0, 8)
      expected = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0))
      n -= 8
    }
    received += n
    if (received >= expected) stream.send(new Uint8Array([1]))
  })
}

export async function nodeStart (relay: string): Promise<string> {
  relayAddr = relay
  const privateKey = await generateKeyPair('Ed25519')
  node = await createPeerlinkNode({ privateKey, relays: [multiaddr(relay)], iceServers: async () => [] })
  await node.handle(ECHO_PROTOCOL, onEcho)
  await node.handle(BULK_PROTOCOL, onBulk)
  await node.start()
  await node.dial(multiaddr(relay))
  const deadline = performance.now() + RESERVATION_TIMEOUT_MS
  while (!node.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit/webrtc'))) {
    if (performance.now() > deadline) throw new Error('no relay reservation')
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
  return node.peerId.toString()
}

export async function nodeDial (peer: string): Promise<number> {
  const started = performance.now()
  await dialDirect(need(), peerIdFromString(peer), [relayAddr])
  return performance.now() - started
}

async function openStream (peer: string, protocol: string): Promise<Stream> {
  const conn = await dialDirect(need(), peerIdFromString(peer), [relayAddr])
  return await conn.newStream(protocol)
}

/** Resolves when `bytes` more bytes have arrived on the stream. */
function receive (stream: Stream, bytes: number): Promise<void> {
  return new Promise(resolve => {
    let got = 0
    const onMessage = (evt: { data: { byteLength: number } }): void => {
      got += byteLength(evt.data)
      if (got >= bytes) {
        stream.removeEventListener('message', onMessage)
        resolve()
      }
    }
    stream.addEventListener('message', onMessage)
  })
}

export async function nodeRtt (peer: string, n: number): Promise<number[]> {
  const stream = await openStream(peer, ECHO_PROTOCOL)
  const ping = new Uint8Array(PING_BYTES)
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const started = performance.now()
    const back = receive(stream, PING_BYTES)
    stream.send(ping)
    await back
    times.push(performance.now() - started)
  }
  await stream.close()
  return times
}

export async function nodeBulk (peer: string, bytes: number): Promise<number> {
  const stream = await openStream(peer, BULK_PROTOCOL)
  const head = new Uint8Array(8)
  new DataView(head.buffer).setBigUint64(0, BigInt(bytes))
  const chunk = new Uint8Array(BULK_CHUNK_BYTES)
  performance.mark(BULK_MARKS.node.start)
  const started = performance.now()
  const done = receive(stream, 1)
  // the app's own wait for 'drain' (as chat's writer does): stream.onDrain()
  // resolves at once after the stream's first drain, which left this loop
  // without back-pressure, queueing the whole transfer in the stream's buffer
  if (!stream.send(head)) await drained(stream)
  for (let sent = 0; sent < bytes; sent += chunk.byteLength) {
    if (!stream.send(chunk)) await drained(stream)
  }
  await done
  const ms = performance.now() - started
  performance.mark(BULK_MARKS.node.end)
  await stream.close()
  return ms
}
