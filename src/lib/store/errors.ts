/** The browser refused to store more: the write was rolled back as a whole. */
export class StorageFullError extends Error {
  static readonly NAME = 'StorageFullError'
  override readonly name = StorageFullError.NAME

  constructor (options?: { cause?: unknown }) {
    super('Storage is full: free some space on this device (or allow this site more storage) and try again; nothing already stored was lost', options)
  }
}

/** Why a store stopped accepting calls. */
export type ClosedReason = 'closed' | 'versionchange' | 'terminated'

const CLOSED_MESSAGES: Record<ClosedReason, string> = {
  closed: 'Storage is closed: this store was closed and can no longer be used',
  versionchange: 'Storage is closed: Peerlink was updated in another tab; reload this page to continue',
  terminated: 'Storage is closed: the browser closed the database (site data may have been cleared); reload this page to continue'
}

/** A call reached a store whose connection is gone; it fails at once instead of hanging. */
export class StorageClosedError extends Error {
  static readonly NAME = 'StorageClosedError'
  override readonly name = StorageClosedError.NAME
  readonly reason: ClosedReason

  constructor (reason: ClosedReason) {
    super(CLOSED_MESSAGES[reason])
    this.reason = reason
  }
}

/** The database was written by a newer Peerlink than this page. */
export class StorageOutdatedError extends Error {
  static readonly NAME = 'StorageOutdatedError'
  override readonly name = StorageOutdatedError.NAME

  constructor (options?: { cause?: unknown }) {
    super('Storage was upgraded by a newer version of Peerlink: reload this page to update it', options)
  }
}

/** A caller passed something the store refuses to keep (validated at the boundary). */
export class InvalidArgumentError extends TypeError {
  static readonly NAME: string = 'InvalidArgumentError'
  override readonly name: string = InvalidArgumentError.NAME
}

/** A message text over the length the chat protocol carries. */
export class MessageTooLongError extends InvalidArgumentError {
  static override readonly NAME = 'MessageTooLongError'
  override readonly name = MessageTooLongError.NAME
  readonly limit: number

  constructor (length: number, limit: number) {
    super(`Message is too long: ${length} characters, at most ${limit} can be sent`)
    this.limit = limit
  }
}

/** Legacy Safari reports a full disk with code 22, old Firefox with its own name. */
const QUOTA_ERROR_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED'])
const LEGACY_QUOTA_CODE = 22

export function isQuotaError (err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false
  const { name, code } = err as { name?: unknown, code?: unknown }
  return (typeof name === 'string' && QUOTA_ERROR_NAMES.has(name)) ||
    (err instanceof DOMException && code === LEGACY_QUOTA_CODE)
}

/** Turns the browser's storage failures into the errors callers can act on. */
export function toStorageError (err: unknown): unknown {
  if (isQuotaError(err)) return new StorageFullError({ cause: err })
  if (err instanceof DOMException && err.name === 'VersionError') return new StorageOutdatedError({ cause: err })
  return err
}
