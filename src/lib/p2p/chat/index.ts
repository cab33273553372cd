/**
 * @packageDocumentation
 *
 * The Peerlink chat protocol, `/peerlink/chat/1.0.0`: length-prefixed
 * (unsigned varint) protobuf frames, each carrying exactly one of a text
 * message, an ack, a read receipt, a profile or a typing indicator.
 *
 * Each side sends on one outbound stream per connection and reads every
 * stream of the protocol in both directions, so a reply may arrive on any of
 * them. Closing the writable end of a stream means "done with it": the other
 * side closes its end too. The sender of a frame is always the authenticated
 * remote peer of the connection it came on. A frame that breaks the format or a bound resets its
 * stream and emits `protocol-error`; other streams carry on.
 *
 * @example
 *
 * ```ts
 * import { createLibp2p } from 'libp2p'
 * import { chat } from './chat/index.ts'
 *
 * const node = await createLibp2p({ ...config, services: { chat: chat() } })
 *
 * node.services.chat.addEventListener('frame', (evt) => {
 *   const { from, frame } = evt.detail
 *   if (frame.type === 'text') console.info(from.toString(), frame.text)
 * })
 *
 * await node.services.chat.send(peerId, {
 *   type: 'text',
 *   id: crypto.getRandomValues(new Uint8Array(16)),
 *   sentAt: Date.now(),
 *   seq: 1,
 *   text: 'hello'
 * })
 * ```
 */

import { ChatService } from './chat.ts'
import type {
  AbortOptions,
  ComponentLogger,
  Connection,
  PeerId,
  StreamHandler,
  StreamHandlerOptions
} from '@libp2p/interface'
import type { TypedEventTarget } from 'main-event'

export { CHAT_PROTOCOL, MAX_FRAME_BYTES, MAX_IDS_PER_FRAME, MAX_NAME_LENGTH, MAX_TEXT_LENGTH, MESSAGE_ID_BYTES } from './constants.ts'
export { ChatNotStartedError, InvalidFrameError, NotConnectedError, SendQueueFullError } from './errors.ts'
export { decodeFrame, encodeFrame, normalizeName } from './codec.ts'
export { newestFirst, selectConnection } from './connection.ts'

/** A decoded, validated frame. IDs are 16-byte message IDs. */
export type ChatFrame =
  | { type: 'text', id: Uint8Array, sentAt: number, seq: number, text: string }
  | { type: 'ack', ids: Uint8Array[] }
  | { type: 'read', ids: Uint8Array[] }
  | { type: 'profile', name: string }
  | { type: 'typing', active: boolean }

export interface ChatFrameEvent {
  /** the authenticated remote peer of the connection the frame came on */
  from: PeerId
  frame: ChatFrame
  connection: Connection
}

export interface ChatEvents {
  frame: CustomEvent<ChatFrameEvent>
  'protocol-error': CustomEvent<{ from: PeerId, error: Error }>
}

export interface ChatSendOptions extends AbortOptions {
  /** also send over a limited (relayed) connection when no direct one is open */
  allowLimited?: boolean
  /**
   * Send on this connection to the peer, not the one chat would pick: the
   * caller's own ladder decided it is usable (chat alone cannot see, say,
   * that a WebRTC connection's path is down), and a frame must go where the
   * caller will look for trouble. NotConnectedError when it is not open.
   */
  connection?: Connection
}

export interface Chat extends TypedEventTarget<ChatEvents> {
  /**
   * Send one frame on the best open connection to `peer`. Never dials: throws
   * NotConnectedError when there is no usable connection, InvalidFrameError
   * for a frame a peer would reject, SendQueueFullError when the stream is
   * backed up. Resolves once the frame is handed to the transport.
   */
  send(peer: PeerId, frame: ChatFrame, options?: ChatSendOptions): Promise<void>
  /**
   * Opens the stream later sends on this connection use, ahead of them, so
   * the first frame does not wait for it to open. Best effort.
   */
  prepare(connection: Connection): void
}

export interface ChatInit {
  /** @default MAX_INBOUND_STREAMS */
  maxInboundStreams?: number
  /** @default MAX_OUTBOUND_STREAMS */
  maxOutboundStreams?: number
}

/** Just what chat uses of libp2p's internal components. */
export interface ChatComponents {
  registrar: {
    handle(protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>
    unhandle(protocol: string, options?: AbortOptions): Promise<void>
  }
  connectionManager: {
    getConnections(peerId?: PeerId): Connection[]
  }
  logger: ComponentLogger
}

export function chat (init: ChatInit = {}): (components: ChatComponents) => Chat {
  return (components) => new ChatService(components, init)
}
