/** A frame broke the wire format or one of its bounds. */
export class InvalidFrameError extends Error {
  static override name = 'InvalidFrameError'
  override name = 'InvalidFrameError'
}

/** No open connection to the peer that chat may use; dialing is not chat's job. */
export class NotConnectedError extends Error {
  static override name = 'NotConnectedError'
  override name = 'NotConnectedError'
}

/** Too much is already queued on the stream to this peer; retry later. */
export class SendQueueFullError extends Error {
  static override name = 'SendQueueFullError'
  override name = 'SendQueueFullError'
}

/** send() was called while the service is stopped. */
export class ChatNotStartedError extends Error {
  static override name = 'ChatNotStartedError'
  override name = 'ChatNotStartedError'
}
