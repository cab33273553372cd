import { LengthPrefixedDecoder } from '@libp2p/utils'
import { writer as protobufWriter } from 'protons-runtime'
import { decodeFrame } from './codec.ts'
import {
  MAX_FRAME_BYTES,
  MAX_QUEUED_BYTES,
  MAX_WRITE_BYTES,
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

/** A frame waiting to be written, and the caller waiting for it. */
interface Pending {
  bytes: Uint8Array
  signal?: AbortSignal
  resolve: () => void
  reject: (err: unknown) => void
}

/**
 * Writes length-prefixed frames to one stream, in order. The first frame
 * handed over in a task goes out at once, so a single message is not held
 * behind the rest of the task (its own write to the store, the page's
 * update); the frames handed over after it in the same task go out together
 * as one write: the prefixes keep them apart on the wire, and a burst then
 * costs a few data channel messages instead of one per frame (each is a trip
 * through the stream, SCTP and the peer's event loop). Waits for the
 * transport to drain whenever it says it is full; waiting frames are bounded
 * by MAX_QUEUED_BYTES.
 */
export class FrameWriter {
  readonly stream: Stream
  private queue: Pending[] = []
  private queuedBytes = 0
  private flushing = false
  /** a frame went out at once in this task: the task's next frames are joined */
  private wroteInTask = false
  /**
   * The frames waiting on each caller's signal, with one abort listener per
   * signal rather than per frame: a burst's frames share one deadline, and
   * taking each of hundreds of listeners off it again scanned them all.
   */
  private readonly watched = new Map<AbortSignal, { frames: Set<Pending>, onAbort: () => void }>()

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
    const { signal } = options
    signal?.throwIfAborted()
    this.queuedBytes += bytes.byteLength
    await new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        bytes,
        signal,
        resolve: () => { this.unwatch(pending); resolve() },
        reject: (err) => { this.unwatch(pending); reject(err) }
      }
      this.queue.push(pending)
      this.watch(pending)
      if (this.flushing) return
      this.flushing = true
      if (this.wroteInTask) {
        // the rest of this task's frames join this one
        queueMicrotask(() => { void this.flush() })
        return
      }
      this.wroteInTask = true
      queueMicrotask(() => { this.wroteInTask = false })
      void this.flush()
    })
  }

  /**
   * The caller stops waiting when its signal aborts (a stuck stream must be
   * noticed); the frame is dropped if still queued, or has already gone out.
   */
  private watch (pending: Pending): void {
    const { signal } = pending
    if (signal == null) return
    let entry = this.watched.get(signal)
    if (entry == null) {
      const frames = new Set<Pending>()
      const onAbort = (): void => {
        for (const p of [...frames]) p.reject(signal.reason)
      }
      entry = { frames, onAbort }
      this.watched.set(signal, entry)
      signal.addEventListener('abort', onAbort, { once: true })
    }
    entry.frames.add(pending)
  }

  private unwatch (pending: Pending): void {
    const { signal } = pending
    const entry = signal != null ? this.watched.get(signal) : undefined
    if (signal == null || entry == null || !entry.frames.delete(pending) || entry.frames.size > 0) return
    this.watched.delete(signal)
    signal.removeEventListener('abort', entry.onAbort)
  }

  private async flush (): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.take()
        if (batch.length === 0) continue
        try {
          if (!this.stream.send(concat(batch.map(p => p.bytes)))) {
            await drained(this.stream)
          }
          for (const p of batch) p.resolve()
        } catch (err) {
          for (const p of batch) p.reject(err)
        }
      }
    } finally {
      this.flushing = false
    }
  }

  /** The next frames to write together, at most MAX_WRITE_BYTES unless one frame alone is larger. */
  private take (): Pending[] {
    const batch: Pending[] = []
    let size = 0
    let taken = 0
    for (; taken < this.queue.length; taken++) {
      const next = this.queue[taken]
      if (batch.length > 0 && size + next.bytes.byteLength > MAX_WRITE_BYTES) break
      this.queuedBytes -= next.bytes.byteLength
      // a caller that gave up while queued must not have its frame sent later
      if (next.signal?.aborted === true) {
        next.reject(next.signal.reason)
        continue
      }
      batch.push(next)
      size += next.bytes.byteLength
    }
    // one cut for the lot: a shift per frame moved the rest of a burst's queue each time
    this.queue.splice(0, taken)
    return batch
  }
}

function concat (parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

/**
 * Wait for 'drain' or fail on 'close'. Not stream.onDrain(): in
 * @libp2p/utils 7.4.1 it keeps its first promise forever, so once a stream
 * has drained one time every later onDrain() resolves at once and
 * back-pressure is lost.
 */
export async function drained (stream: Stream, signal?: AbortSignal): Promise<void> {
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
