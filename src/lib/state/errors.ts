import { showsNothing } from '../shared/invisible.ts'

/**
 * A new message went out to the peer, but this device could not store it
 * (storage full, or the browser rolled the write back twice). The peer may
 * well have it: the composer must not give the text back, or a second press
 * of Send would show it to the peer twice.
 */
export class SentNotSavedError extends Error {
  static readonly NAME = 'SentNotSavedError'
  override readonly name = SentNotSavedError.NAME

  constructor (cause: unknown) {
    super(`Sent, but not saved on this device, so it will be gone from here after a reload. ${(cause as Error | undefined)?.message ?? ''}`.trim(), { cause })
  }
}

/**
 * A message that shows nothing (spaces, line breaks, zero-width or direction
 * characters only): refused here, not only by the composer, so that no caller
 * stores and sends an empty bubble to the peer.
 */
export class EmptyMessageError extends Error {
  static readonly NAME = 'EmptyMessageError'
  override readonly name = EmptyMessageError.NAME

  constructor () {
    super('Nothing to send: the message has no visible text.')
  }
}

/** The one rule for every way a new message is stored to be sent (Delivery.send, queueBeforeStart). */
export function assertShowsText (text: string): void {
  if (showsNothing(text)) throw new EmptyMessageError()
}
