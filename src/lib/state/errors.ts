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
