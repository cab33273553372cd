import { TypedEventEmitter } from 'main-event'
import { encodeFrame } from './codec.ts'
import { selectConnection } from './connection.ts'
import {
  CHAT_PROTOCOL,
  CLOSE_TIMEOUT_MS,
  MAX_INBOUND_STREAMS,
  MAX_OUTBOUND_STREAMS,
  OPEN_STREAM_TIMEOUT_MS
} from './constants.ts'
import { ChatNotStartedError, NotConnectedError, SendQueueFullError } from './errors.ts'
import { FrameWriter, lengthPrefixed, readFrames } from './frames.ts'
import type { Chat, ChatComponents, ChatEvents, ChatFrame, ChatInit, ChatSendOptions } from './index.ts'
import type { Connection, Logger, PeerId, Startable, Stream } from '@libp2p/interface'

/** The outbound stream of one connection, shared by every send on it. */
interface Outbound {
  ready: Promise<FrameWriter>
  /** `ready`'s writer once it is there: sends then take it without waiting on a promise or the caller's signal */
  writer?: FrameWriter
}

export class ChatService extends TypedEventEmitter<ChatEvents> implements Chat, Startable {
  readonly [Symbol.toStringTag] = '@peerlink/chat'
  private readonly components: ChatComponents
  private readonly log: Logger
  private readonly maxInboundStreams: number
  private readonly maxOutboundStreams: number
  private started = false
  /** by connection id */
  private readonly outbound = new Map<string, Outbound>()
  /** every stream we read from, so stop() can close them */
  private readonly streams = new Set<Stream>()

  constructor (components: ChatComponents, init: ChatInit = {}) {
    super()
    this.components = components
    this.log = components.logger.forComponent('peerlink:chat')
    this.maxInboundStreams = init.maxInboundStreams ?? MAX_INBOUND_STREAMS
    this.maxOutboundStreams = init.maxOutboundStreams ?? MAX_OUTBOUND_STREAMS
    this.onInbound = this.onInbound.bind(this)
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(CHAT_PROTOCOL, this.onInbound, {
      // chat must keep working when only a relayed connection exists
      runOnLimitedConnection: true,
      maxInboundStreams: this.maxInboundStreams,
      maxOutboundStreams: this.maxOutboundStreams
    })
    this.started = true
  }

  async stop (): Promise<void> {
    this.started = false
    await this.components.registrar.unhandle(CHAT_PROTOCOL)
    const streams = [...this.streams]
    this.streams.clear()
    this.outbound.clear()
    await Promise.all(streams.map(closeStream))
  }

  isStarted (): boolean {
    return this.started
  }

  async send (peer: PeerId, frame: ChatFrame, options: ChatSendOptions = {}): Promise<void> {
    if (!this.started) throw new ChatNotStartedError('Chat is not started')
    // encode first: an invalid frame fails without touching the network
    const bytes = lengthPrefixed(encodeFrame(frame))
    const connection = options.connection ?? selectConnection(
      this.components.connectionManager.getConnections(peer),
      options.allowLimited === true
    )
    if (options.connection?.remotePeer.equals(peer) === false) {
      throw new TypeError(`The connection given for ${peer.toString()} goes to ${options.connection.remotePeer.toString()}`)
    }
    if (connection?.status !== 'open') {
      throw new NotConnectedError(`No usable connection to ${peer.toString()}`)
    }
    // a stream already open takes the frame now, not a microtask later: the
    // frame's write then goes ahead of work the page queued behind this send
    const writer = this.writableWriter(connection) ?? await this.writerFor(connection, options)
    try {
      await writer.write(bytes, options)
    } catch (err) {
      // a full queue or the caller giving up says nothing about the stream
      if (!(err instanceof SendQueueFullError) && options.signal?.aborted !== true) {
        this.log.error('send to %p failed - %e', peer, err)
        writer.stream.abort(err instanceof Error ? err : new Error(String(err)))
      }
      throw err
    }
  }

  /**
   * Opens the stream sends to this connection will use, before there is
   * anything to send: its data channel is then open by the time the user's
   * first message is stored. Best effort: a failure here is met again, and
   * reported, by the first send.
   */
  prepare (connection: Connection): void {
    if (!this.started || this.outbound.has(connection.id)) return
    this.useForSending(connection, this.openWriter(connection)).ready.catch(() => {})
  }

  /** This connection's sending stream, if it is open and writable now. */
  private writableWriter (connection: Connection): FrameWriter | undefined {
    const writer = this.outbound.get(connection.id)?.writer
    return writer?.writable === true ? writer : undefined
  }

  private async writerFor (connection: Connection, options: ChatSendOptions): Promise<FrameWriter> {
    const existing = this.outbound.get(connection.id)
    if (existing != null) {
      const writer = existing.writer ?? await abortable(existing.ready, options.signal)
      if (writer.writable) return writer
      // closing, or the peer stopped reading: start afresh
      if (this.outbound.get(connection.id) === existing) this.outbound.delete(connection.id)
      void closeStream(writer.stream)
    }
    // set before the first await so racing sends share one stream
    const entry = this.outbound.get(connection.id) ?? this.useForSending(connection, this.openWriter(connection))
    return await abortable(entry.ready, options.signal)
  }

  /** Sends on this connection go to `ready`'s stream from now on, until it closes. */
  private useForSending (connection: Connection, ready: Promise<FrameWriter>): Outbound {
    const created: Outbound = { ready }
    const forget = (): void => {
      if (this.outbound.get(connection.id) === created) this.outbound.delete(connection.id)
    }
    created.ready.then(writer => {
      created.writer = writer
      if (writer.stream.status !== 'open') forget()
      writer.stream.addEventListener('close', forget, { once: true })
    }, forget)
    this.outbound.set(connection.id, created)
    return created
  }

  private async openWriter (connection: Connection): Promise<FrameWriter> {
    // not the caller's signal: other sends may be waiting on this stream
    const stream = await connection.newStream(CHAT_PROTOCOL, {
      runOnLimitedConnection: connection.limits != null,
      signal: AbortSignal.timeout(OPEN_STREAM_TIMEOUT_MS),
      // the first frame follows the protocol proposal without waiting for its
      // answer (patches/@libp2p+multistream-select); a peer without chat
      // aborts the stream, and the messages sent on it go again when their
      // acks do not come (delivery.ts)
      negotiateFully: false
    })
    if (!this.started) {
      stream.abort(new ChatNotStartedError('Chat stopped while the stream was opening'))
      throw new ChatNotStartedError('Chat is not started')
    }
    this.attach(stream, connection)
    return new FrameWriter(stream)
  }

  private onInbound (stream: Stream, connection: Connection): void {
    if (!this.started) {
      stream.abort(new ChatNotStartedError('Chat is not started'))
      return
    }
    this.attach(stream, connection)
    // streams carry frames both ways and every peer reads both directions:
    // answer on the peer's stream rather than open one of our own, so the
    // first ack or reply does not wait for a new data channel (not on one
    // the peer is done with already)
    if (!this.outbound.has(connection.id) && stream.writeStatus === 'writable' && stream.remoteWriteStatus === 'writable') this.useForSending(connection, Promise.resolve(new FrameWriter(stream)))
  }

  /** Read frames from a stream of either direction. */
  private attach (stream: Stream, connection: Connection): void {
    // the sender is whoever authenticated the connection, never a frame field
    const from = connection.remotePeer
    this.streams.add(stream)
    stream.addEventListener('close', () => {
      this.streams.delete(stream)
    }, { once: true })
    // a peer closes its writable end only when it is done with the stream
    // (its chat is stopping); close ours too so the stream is released and
    // the next send opens a fresh one
    stream.addEventListener('remoteCloseWrite', () => {
      void closeStream(stream)
    }, { once: true })
    readFrames(stream, {
      frame: (frame) => {
        // streams still closing after stop() must not feed a stopped service
        if (!this.started) return
        this.safeDispatchEvent('frame', { detail: { from, frame, connection } })
      },
      error: (error) => {
        this.log.error('protocol error from %p on stream %s - %e', from, stream.id, error)
        stream.abort(error)
        this.safeDispatchEvent('protocol-error', { detail: { from, error } })
      }
    })
    // the peer writes without waiting for the protocol's answer, so its end
    // may have closed before this ran, the event above gone by; after the
    // reader, which still gets what came before it
    if (stream.remoteWriteStatus === 'closed') void closeStream(stream)
  }
}

/** Close gracefully, or reset when the peer does not let us within CLOSE_TIMEOUT_MS. */
async function closeStream (stream: Stream): Promise<void> {
  try {
    await stream.close({ signal: AbortSignal.timeout(CLOSE_TIMEOUT_MS) })
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
  }
}

/** Stop waiting when the caller aborts, without cancelling the shared work. */
async function abortable<T> (promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal == null) return await promise
  signal.throwIfAborted()
  return await new Promise<T>((resolve, reject) => {
    const onAbort = (): void => { reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(value => {
      signal.removeEventListener('abort', onAbort)
      resolve(value)
    }, err => {
      signal.removeEventListener('abort', onAbort)
      reject(err)
    })
  })
}
