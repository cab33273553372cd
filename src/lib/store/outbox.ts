/**
 * Own messages not known to be delivered, listed apart from the messages:
 * an entry per write, naming what it added, so a burst's write adds one
 * record here instead of an index entry per message (an index on the
 * messages' state cost each `add` about a fifth of its time; see
 * docs/performance.md, "The outbox apart"). Reads lay the status log over
 * what the entries name; the log's fold, which writes every delivery into
 * its message, takes the delivered ones out of the entries as it goes.
 */
import { unwrap, type IDBPObjectStore } from 'idb'
import type { PeerlinkSchema } from './db.ts'
import { writeAll } from './requests.ts'
import { statusRank, type MessageStatus, type StoredMessage } from './types.ts'

export interface OutboxEntry {
  /** the store's order: assigned by it */
  n?: number
  peer: string
  ids: string[]
}

/**
 * An entry the version-4 migration makes lists at most this many ids, as a
 * burst's write does (its batches): a fold rewrites whole each entry it takes
 * a delivered id out of, so a long outbox in one entry would be rewritten
 * whole by each of the many slices that fold its deliveries.
 */
export const MIGRATED_PER_ENTRY = 1_024

type OutboxStore<M extends IDBTransactionMode> = IDBPObjectStore<PeerlinkSchema, any, 'outbox', M>

/** Whether a message in `status` still has to reach its peer. */
export function undelivered (status: MessageStatus): boolean {
  return statusRank(status) < statusRank('delivered')
}

/** Lists the own messages among `added` (in the transaction that adds them). */
export function listOutgoing (outbox: OutboxStore<'readwrite'>, added: readonly StoredMessage[]): void {
  const own = added.filter(m => m.direction === 'out')
  if (own.length > 0) writeAll(outbox, 'add', [{ peer: own[0].peer, ids: own.map(m => m.id) } satisfies OutboxEntry])
}

/** The ids listed for `peer`, oldest write first; some may have been delivered since. */
export async function listedIds (outbox: OutboxStore<IDBTransactionMode>, peer: string): Promise<string[]> {
  const entries: OutboxEntry[] = await outbox.index('by-peer').getAll(peer)
  return entries.flatMap(entry => entry.ids)
}

/**
 * Takes `delivered` (ids per peer, each delivered just now, so listed) out of
 * the entries that list them; an entry left empty goes. Entries are read
 * oldest first, and only until every id is found: messages are mostly
 * delivered in the order they were written, so a fold slice of a long
 * outbox's deliveries reads its first entries, not all of them.
 */
export async function unlist (outbox: OutboxStore<'readwrite'>, delivered: ReadonlyMap<string, ReadonlySet<string>>): Promise<void> {
  await Promise.all([...delivered].map(async ([peer, ids]) => {
    const missing = new Set(ids)
    let cursor = missing.size > 0 ? await outbox.index('by-peer').openCursor(peer) : null
    while (cursor != null) {
      const entry = cursor.value
      const left = entry.ids.filter(id => !missing.delete(id))
      // on the browser's own cursor, as writeAll does: a failure aborts the fold's transaction, which reports it
      if (left.length === 0) unwrap(cursor).delete()
      else if (left.length < entry.ids.length) unwrap(cursor).update({ ...entry, ids: left } satisfies OutboxEntry)
      cursor = missing.size > 0 ? await cursor.continue() : null
    }
  }))
}
