/**
 * Caps the length-prefixed messages a peer may send to a protocol handler.
 * The circuit relay and kad-dht handlers read with pbStream, which takes any
 * declared length and buffers up to 4 MiB per stream before it gives up; on
 * 32 streams per connection that is far more than honest peers ever send.
 * The guard reads the varint prefixes as bytes arrive and aborts just that
 * stream when one declares more than the maximum; the connection and its
 * other streams go on.
 */
import type { Connection, Stream, StreamHandler } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export class FrameTooLargeError extends Error {
  override name = 'FrameTooLargeError'
}

export interface FrameGuardInit {
  protocol: string
  maxFrameBytes: number
  /**
   * 'first': only the first message is a protocol message (a hop stream
   * becomes a relayed byte pipe after it); 'all': every message is.
   */
  frames: 'first' | 'all'
  onRefused?: (protocol: string, connection: Connection, declared: number) => void
}

/** Varints above this many bytes encode more than any frame we accept. */
const MAX_VARINT_BYTES = 8

function chunksOf (data: Uint8Array | Uint8ArrayList): Iterable<Uint8Array> {
  return data instanceof Uint8Array ? [data] : data
}

/** Watches one inbound stream; returns nothing, aborts the stream when a frame is too large. */
export function guardStream (stream: Stream, connection: Connection, init: FrameGuardInit): void {
  let length = 0
  let shift = 0
  let prefixBytes = 0
  let bodyLeft = -1
  let done = false

  /** false when the chunk holds a frame that is too large */
  const scan = (chunk: Uint8Array): boolean => {
    let i = 0
    while (i < chunk.length && !done) {
      if (bodyLeft < 0) {
        const byte = chunk[i++]
        length += (byte & 0x7f) * 2 ** shift
        shift += 7
        prefixBytes++
        if ((byte & 0x80) !== 0) {
          if (prefixBytes >= MAX_VARINT_BYTES) return false
          continue
        }
        if (length > init.maxFrameBytes) return false
        bodyLeft = length
      }
      const take = Math.min(bodyLeft, chunk.length - i)
      i += take
      bodyLeft -= take
      if (bodyLeft === 0) {
        bodyLeft = -1
        length = 0
        shift = 0
        prefixBytes = 0
        if (init.frames === 'first') done = true
      }
    }
    return true
  }

  // the handler's own reader is a 'message' listener; a second listener would
  // change when the stream hands data out, so we look at events as they pass
  const dispatch = stream.dispatchEvent.bind(stream)
  stream.dispatchEvent = (event: Event): boolean => {
    if (done || event.type !== 'message') return dispatch(event)
    for (const chunk of chunksOf((event as MessageEvent<Uint8Array | Uint8ArrayList>).data)) {
      if (scan(chunk)) continue
      done = true
      init.onRefused?.(init.protocol, connection, length)
      // after the muxer has finished handing this chunk out, not in the middle of it
      queueMicrotask(() => { stream.abort(new FrameTooLargeError(`${init.protocol} message larger than ${init.maxFrameBytes} bytes`)) })
      return false
    }
    return dispatch(event)
  }
}

/** The registrar: reached through the node's components, as libp2p has no public getter for a handler. */
interface HandlerRegistrar {
  getHandler: (protocol: string) => { handler: StreamHandler, options: Record<string, unknown> }
  handle: (protocol: string, handler: StreamHandler, options: Record<string, unknown>) => Promise<void>
}

/** Puts a guard in front of the handler already registered for init.protocol. */
export async function guardProtocol (node: unknown, init: FrameGuardInit): Promise<void> {
  const registrar = (node as { components?: { registrar?: HandlerRegistrar } }).components?.registrar
  if (registrar == null) throw new Error('the libp2p node has no registrar to guard')
  const { handler, options } = registrar.getHandler(init.protocol)
  const guarded: StreamHandler = async (stream, connection) => {
    guardStream(stream, connection, init)
    await handler(stream, connection)
  }
  await registrar.handle(init.protocol, guarded, { ...options, force: true })
}
