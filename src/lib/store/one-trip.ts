import type { IDBPTransaction } from 'idb'
import { listOutgoing } from './outbox.ts'
import { commitNow, writeAll } from './requests.ts'
import type { PeerlinkSchema } from './db.ts'
import type { Conversation, StoredMessage } from './types.ts'

/** New messages and what their conversation looks like with them. */
export interface Placed<R> {
  conversation: Conversation
  added: StoredMessage[]
  result: R
}

/** The guess was wrong: something else wrote the conversation after this page last did. */
export class StaleConversation extends Error {
  constructor () {
    super('The conversation changed since this page last wrote it')
  }
}

/**
 * Whether a write in one round trip should be done again the long way:
 * its guess was stale, one of its messages is stored already (a copy sent
 * again after a lost ack), which only the long way tells apart, or the
 * browser rolled it back without a reason (an AbortError, with no failed
 * request and no abort() of ours). Chromium 156 did that in some benchmark
 * runs to batches of 1 to 256 whose requests had all succeeded, with or
 * without an early commit; the long way then stores the batch instead of
 * failing it, which would leave it to the sender's resend.
 */
export function isRetryable (err: unknown): boolean {
  return err instanceof StaleConversation ||
    (err instanceof DOMException && (err.name === 'ConstraintError' || err.name === 'AbortError'))
}

/** Same fields with the same values: records of plain values, as IndexedDB hands them back. */
export function sameRecord (stored: object | undefined, expected: object): boolean {
  if (stored == null) return false
  const a = stored as Record<string, unknown>
  const b = expected as Record<string, unknown>
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every(k => Object.hasOwn(b, k) && Object.is(a[k], b[k]))
}

/** The stores a write of new messages takes: every such write goes through writePlaced. */
export const PLACING_STORES = ['conversations', 'messages', 'outbox'] as const

type MessageWrite = IDBPTransaction<PeerlinkSchema, Array<typeof PLACING_STORES[number]>, 'readwrite'>

/** The writes of `placed`: its new messages, the own ones listed in the outbox, then their conversation. */
export function writePlaced (tx: MessageWrite, placed: Placed<unknown>): void {
  writeAll(tx.objectStore('messages'), 'add', placed.added)
  listOutgoing(tx.objectStore('outbox'), placed.added)
  writeAll(tx.objectStore('conversations'), 'put', [placed.conversation])
}

/**
 * Writes `placed`, worked out from `guess`, in one round trip: the read of
 * the conversation goes out with the writes, ahead of them (so it sees the
 * record as it was), and the transaction is rolled back with
 * StaleConversation unless that record was the guess. A message already
 * stored fails its add with a ConstraintError, which rolls it back too.
 *
 * The writes are made before this returns (a write that cannot be made
 * throws here), so the caller knows they are on their way. The guess is
 * checked on the first result back, while the writes are still being made,
 * and the commit is asked for right then: it need not wait for this page to
 * see every write's result, which a page busy with a burst would hold back.
 */
export function writeIfUnchanged (tx: MessageWrite, guess: Conversation, placed: Placed<unknown>): Promise<void> {
  const read = tx.objectStore('conversations').get(guess.peer)
  // rejected too when a write below throws while being made: that throw reports it
  read.catch(() => {})
  writePlaced(tx, placed)
  return (async () => {
    if (!sameRecord(await read, guess)) throw new StaleConversation()
    commitNow(tx)
  })()
}
