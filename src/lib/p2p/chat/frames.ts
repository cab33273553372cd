import { LengthPrefixedDecoder } from '@libp2p/utils'
import { writer as protobufWriter } from 'protons-runtime'
import { decodeFrame } from './codec.ts'
import {
  MAX_FRAME_BYTES,
  MAX_QUEUED_BYTES,
  MAX_READ_BUFFER_BYTES,
  READ_SLICE_BYTES
} from './constants.ts'
import { InvalidFrameError, SendQueueFullError } from './errors.ts'
import type { ChatFrame } from './index.ts'
import type { AbortOptions, Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Prefix a frame body with its length as an unsigned varint. */
export function lengthPrefixed (body: Uint8Array): Uint8Array {
  // a protobuf `bytes` value is exactly a varint length and the bytes
  return protobufWriter().bytes(body).finish()
}

export interface FrameHandlers {
  frame (frame: ChatFrame): void
  /** Called at most once; no frame is delivered after it. */
  error (err: Error): void
}

/**
 * Decode frames from a stream as its data arrives. Decoding is synchronous in
 * the 'message' listener, so nothing queues up between the muxer and us: the
 * only buffer is the decoder's, which holds at most one partial frame plus
 * one slice. A length prefix over MAX_FRAME_BYTES fails as soon as it is
 * read, before any of the body is waited for.
 */
export function readFrames (stream: Stream, handlers: FrameHandlers): void {
  const decoder = new LengthPrefixedDecoder({
    maxBufferSize: MAX_READ_BUFFER_BYTES,
    maxDataLength: MAX_FRAME_BYTES
  })

  const onMessage = (evt: StreamMessageEvent): void => {
    try {
      for (const slice of slices(evt.data)) {
        for (const body of decoder.decode(slice)) {
          handlers.frame(decodeFrame(body))
        }
      }
    } catch (err) {
      stream.removeEventListener('message', onMessage)
      handlers.error(err instanceof InvalidFrameError
        ? err
        : new InvalidFrameError(`Bad frame length: ${err instanceof Error ? err.message : String(err)}`, { cause: err }))
    }
  }

  stream.addEventListener('message', onMessage)
  stream.addEventListener('close', () => {
    stream.removeEventListener('message', onMessage)
  }, { once: true })
}

function * slices (data: Uint8Array | Uint8ArrayList): Generator<Uint8Array | Uint8ArrayList> {
  if (data.byteLength <= READ_SLICE_BYTES) {
    yield data
    return
  }
  for (let start = 0; start < data.byteLength; start += READ_SLICE_BYTES) {
    const end = Math.min(start + READ_SLICE_BYTES, data.byteLength)
    yield data instanceof Uint8Array ? data.subarray(start, end) : data.sublist(start, end)
  }
}

/**
 * Writes length-prefixed frames to one stream, one after another, waiting for
 * the transport to drain whenever it says it is full. Waiting writes are
 * bounded by MAX_QUEUED_BYTES.
 */
export class FrameWriter {
  readonly stream: Stream
  private tail: Promise<void> = Promise.resolve()
  private queuedBytes = 0

  constructor (stream: Stream) {
    this.stream = stream
  }

  /** False once the stream can no longer carry our frames to the peer. */
  get writable (): boolean {
    const s = this.stream
    return s.status === 'open' && s.writeStatus === 'writable' && s.remoteReadStatus === 'readable'
  }

  async write (bytes: Uint8Array, options: AbortOptions = {}): Promise<void> {
    if (this.queuedBytes + bytes.byteLength > MAX_QUEUED_BYTES) {
      throw new SendQueueFullError(`${this.queuedBytes} bytes already wait on this stream`)
    }
    this.queuedBytes += bytes.byteLength
    const turn = this.tail.then(async () => { await this.writeNow(bytes, options) })
    // the next write waits for this one whatever its outcome; the caller
    // gets the outcome itself from `turn`
    this.tail = turn.catch(() => {})
    try {
      await turn
    } finally {
      this.queuedBytes -= bytes.byteLength
    }
  }

  private async writeNow (bytes: Uint8Array, options: AbortOptions): Promise<void> {
    // a caller that gave up while queued must not have its frame sent later
    options.signal?.throwIfAborted()
    if (!this.stream.send(bytes)) {
      await drained(this.stream, options.signal)
    }
  }
}

/**
 * Wait for 'drain' or fail on 'close'. Not stream.onDrain(): in
 * @libp2p/utils 7.4.1 it keeps its first promise forever, so once a stream
 * has drained one time every later onDrain() resolves at once and
 * back-pressure is lost.
 */
async function drained (stream: Stream, signal?: AbortSignal): Promise<void> {
  if (!stream.writableNeedsDrain) return
  await new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      stream.removeEventListener('drain', onDrain)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
    }
    const onDrain = (): void => { cleanup(); resolve() }
    const onClose = (evt: StreamCloseEvent): void => {
      cleanup()
      reject(evt.error ?? new Error('Stream closed before it drained'))
    }
    const onAbort = (): void => { cleanup(); reject(signal?.reason) }
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
  })
}
