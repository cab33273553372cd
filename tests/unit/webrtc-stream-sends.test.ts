import { defaultLogger } from '@libp2p/logger'
import { describe, expect, it } from 'vitest'
import { DATA_CHANNEL_MESSAGE_BYTES, WEBRTC_FRAMING_BYTES } from '../../src/lib/p2p/constants.ts'
// the patched module itself, and the library's own limit: the package exports only the transport
import { MAX_BUFFERED_AMOUNT } from '../../node_modules/@libp2p/webrtc/dist/src/constants.js'
import { createStream } from '../../node_modules/@libp2p/webrtc/dist/src/stream.js'

/** An open data channel that keeps what is sent on it, and can be handed messages as if they came from the peer. */
function recordingChannel (): { channel: RTCDataChannel, sent: Uint8Array[], deliver: (data: Uint8Array) => ArrayBuffer } {
  const sent: Uint8Array[] = []
  const channel = {
    id: 1,
    readyState: 'open',
    binaryType: 'arraybuffer',
    bufferedAmount: 0,
    send: (data: Uint8Array) => { sent.push(data) },
    addEventListener: () => {},
    removeEventListener: () => {},
    close: () => {}
  } as unknown as RTCDataChannel & { onmessage: (evt: { data: ArrayBuffer }) => void }
  // a browser hands each message over in an ArrayBuffer of its own
  const deliver = (data: Uint8Array): ArrayBuffer => {
    const buffer = data.slice().buffer
    channel.onmessage({ data: buffer })
    return buffer
  }
  return { channel, sent, deliver }
}

function streamOn (channel: RTCDataChannel): ReturnType<typeof createStream> {
  return createStream({ channel, direction: 'outbound', log: defaultLogger().forComponent('test'), maxMessageSize: DATA_CHANNEL_MESSAGE_BYTES })
}

describe('what a WebRTC stream hands its data channel (the @libp2p/webrtc patch)', () => {
  it('should ask the writer for more while a quarter of what it may queue is still queued, not once the channel ran dry', () => {
    const { channel } = recordingChannel()
    const stream = streamOn(channel)
    // the browser's rule: the event comes when the queue falls from above the threshold to it or below
    const queue = (bytes: number): void => {
      const before = channel.bufferedAmount
      Object.assign(channel, { bufferedAmount: bytes })
      if (before > channel.bufferedAmountLowThreshold && bytes <= channel.bufferedAmountLowThreshold) channel.onbufferedamountlow?.(new Event('bufferedamountlow'))
    }
    queue(MAX_BUFFERED_AMOUNT)
    expect(stream.send(new Uint8Array(1024))).toBe(false)
    let drained = false
    stream.addEventListener('drain', () => { drained = true })
    queue(MAX_BUFFERED_AMOUNT / 2)
    expect(drained).toBe(false)
    queue(MAX_BUFFERED_AMOUNT / 4)
    expect(drained).toBe(true)
  })

  it('should hand a large write to the channel as the caller\'s own bytes, after one small header message', () => {
    const { channel, sent } = recordingChannel()
    const write = new Uint8Array(DATA_CHANNEL_MESSAGE_BYTES - WEBRTC_FRAMING_BYTES).map((_, i) => i % 251)
    streamOn(channel).send(write)
    expect(sent).toHaveLength(2)
    expect(sent[0].byteLength).toBeLessThanOrEqual(WEBRTC_FRAMING_BYTES)
    // not a copy: the encoding's copy was a fresh buffer per 64 KiB chunk
    expect(sent[1].buffer).toBe(write.buffer)
  })

  it('should deliver small, large and mixed writes whole and in order to the stream on the other side', async () => {
    const sender = recordingChannel()
    const receiver = recordingChannel()
    const out = streamOn(sender.channel)
    const into = streamOn(receiver.channel)
    const got: Uint8Array[] = []
    into.addEventListener('message', evt => { got.push(evt.data.subarray()) })
    // around the size where a message stops being copied into one send, and across chunks
    const writes = [10, 4096, 4097, 70_000, 1, 200_000, 3].map((n, w) => new Uint8Array(n).map((_, i) => (i + w) % 253))
    for (const write of writes) out.send(write)
    for (const message of sender.sent) receiver.deliver(message)
    const expected = Buffer.concat(writes)
    await expect.poll(() => got.reduce((n, b) => n + b.byteLength, 0)).toBe(expected.byteLength)
    expect(Buffer.concat(got).equals(expected)).toBe(true)
  })

  it('should read a large write\'s bytes where they arrived, without joining them to their header', async () => {
    const sender = recordingChannel()
    const receiver = recordingChannel()
    const into = streamOn(receiver.channel)
    const got: Uint8Array[] = []
    into.addEventListener('message', evt => { got.push(...(evt.data instanceof Uint8Array ? [evt.data] : evt.data)) })
    streamOn(sender.channel).send(new Uint8Array(64 * 1024).fill(7))
    const [header, body] = sender.sent.map(message => receiver.deliver(message))
    await expect.poll(() => got.length).toBeGreaterThan(0)
    expect(header.byteLength).toBeLessThanOrEqual(WEBRTC_FRAMING_BYTES)
    // one chunk, in the very buffer the channel handed over: no copy
    expect(got).toHaveLength(1)
    expect(got[0].buffer).toBe(body)
    expect(got[0].byteLength).toBe(64 * 1024)
  })
})
