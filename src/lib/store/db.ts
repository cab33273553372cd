import { openDB, unwrap, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb'
import { isQuotaError, StorageClosedError, toStorageError, type ClosedReason } from './errors.ts'
import type { StatusEntry } from './status-log.ts'
import { MIGRATED_PER_ENTRY, type OutboxEntry } from './outbox.ts'
import type { Conversation, Direction, MessageStatus, Profile, StoredMessage } from './types.ts'

/** Single records, told apart by their key. */
export type MetaRecord =
  | { key: 'identity', privateKey: Uint8Array }
  | { key: 'profile', profile: Profile }

export interface PeerlinkSchema extends DBSchema {
  meta: {
    key: MetaRecord['key']
    value: MetaRecord
  }
  conversations: {
    key: string
    value: Conversation
    indexes: { 'by-last-message': number }
  }
  messages: {
    // the direction is part of the key so a peer echoing one of our IDs can
    // never overwrite or hide our own message
    key: [string, Direction, string]
    value: StoredMessage
    indexes: {
      // display order, the same on both sides: sentAt, then the message id
      'by-conversation': [string, number, string]
      // the unread incoming messages of one peer, and no others (StoredMessage.unreadFrom)
      'by-unread': string
    }
  }
  // delivery states of own messages not written into them yet (status-log.ts)
  statuses: {
    key: number
    value: StatusEntry
    indexes: { 'by-peer': string }
  }
  // own messages not known to be delivered, an entry per write (outbox.ts)
  outbox: {
    key: number
    value: OutboxEntry
    indexes: { 'by-peer': string }
  }
}

export type PeerlinkDatabase = IDBPDatabase<PeerlinkSchema>
export type StoreName = StoreNames<PeerlinkSchema>
export type UpgradeTransaction = IDBPTransaction<PeerlinkSchema, StoreName[], 'versionchange'>

/**
 * Migration N takes the database from version N-1 to N. It runs inside the
 * upgrade transaction and must only queue requests on it (no other awaits),
 * or the transaction commits early. Never edit a released migration: append one.
 */
export type Migration = (db: PeerlinkDatabase, tx: UpgradeTransaction) => void

function createInitialSchema (db: PeerlinkDatabase): void {
  db.createObjectStore('meta', { keyPath: 'key' })
  const conversations = db.createObjectStore('conversations', { keyPath: 'peer' })
  conversations.createIndex('by-last-message', 'lastMessageAt')
  // on the browser's own object: 'by-status' is gone from the schema since version 4
  const messages = unwrap(db.createObjectStore('messages', { keyPath: ['peer', 'direction', 'id'] }))
  messages.createIndex('by-conversation', ['peer', 'sentAt', 'storedAt'])
  messages.createIndex('by-status', ['peer', 'direction', 'status'])
}

/**
 * Version 2: the display order breaks ties by message id instead of the local
 * storedAt, so both sides of a conversation list it in the same order.
 */
function orderByIdNotStoredAt (_db: PeerlinkDatabase, tx: UpgradeTransaction): void {
  const messages = tx.objectStore('messages')
  messages.deleteIndex('by-conversation')
  messages.createIndex('by-conversation', ['peer', 'sentAt', 'id'])
}

/** Version 3: acks are logged one entry per frame and folded into the messages later (status-log.ts). */
function logStatusesApart (db: PeerlinkDatabase): void {
  db.createObjectStore('statuses', { keyPath: 'n', autoIncrement: true }).createIndex('by-peer', 'peer')
}

/**
 * The 'by-status' keys version 4 needs of one peer, in the index's order:
 * unread incoming messages, then own ones queued and sent; `[peer, []]`
 * (arrays sort after strings) is past every key of that peer.
 */
function wantedKeys (peer: string): unknown[][] {
  return [[peer, 'in', 'delivered'], [peer, 'out', 'queued'], [peer, 'out', 'sent'], [peer, []]]
}

/**
 * Version 4: 'by-status' held an entry for every message, which every write
 * paid for, to find the few that are unread or not delivered. The unread
 * ones now carry a field of their own, indexed (by-unread), and the
 * undelivered own ones are listed in the outbox store, an entry per write.
 *
 * Its data pass runs in request callbacks, over the old index's keys alone,
 * skipping from one wanted key to the next (no record is read but the unread
 * ones), and ends after any later migration has run: such a migration must
 * leave alone the messages store's records, 'by-status', 'by-unread' and the
 * outbox store, which this pass is still filling.
 */
function keepPendingApart (db: PeerlinkDatabase, tx: UpgradeTransaction): void {
  db.createObjectStore('outbox', { keyPath: 'n', autoIncrement: true }).createIndex('by-peer', 'peer')
  const outbox = unwrap(tx.objectStore('outbox'))
  const messages = unwrap(tx.objectStore('messages'))
  messages.createIndex('by-unread', 'unreadFrom')
  const pending = new Map<string, string[]>()
  const walk = messages.index('by-status').openKeyCursor()
  walk.onsuccess = () => {
    const cursor = walk.result
    if (cursor == null) {
      for (const [peer, ids] of pending) {
        for (let i = 0; i < ids.length; i += MIGRATED_PER_ENTRY) outbox.add({ peer, ids: ids.slice(i, i + MIGRATED_PER_ENTRY) } satisfies OutboxEntry)
      }
      messages.deleteIndex('by-status')
      return
    }
    const [peer, direction] = cursor.key as [string, Direction, MessageStatus]
    const key = cursor.primaryKey as [string, Direction, string]
    const wanted = wantedKeys(peer)
    if (!wanted.some(w => indexedDB.cmp(w, cursor.key) === 0)) {
      cursor.continue(wanted.find(w => indexedDB.cmp(w, cursor.key) > 0) as IDBValidKey)
      return
    }
    if (direction === 'out') {
      const ids = pending.get(peer) ?? []
      ids.push(key[2])
      pending.set(peer, ids)
    } else {
      const read = messages.get(key)
      read.onsuccess = () => { messages.put({ ...read.result, unreadFrom: peer } satisfies StoredMessage) }
    }
    cursor.continue()
  }
}

export const MIGRATIONS: readonly Migration[] = [
  createInitialSchema,
  orderByIdNotStoredAt,
  logStatusesApart,
  keepPendingApart
]

export interface OpenConnectionOptions {
  /** the migrations to run; tests pass extra ones to rehearse a later version */
  migrations?: readonly Migration[]
  /** another tab holds an older version open; opening keeps waiting until it closes */
  onBlocked?: () => void
  /** this connection was closed by something other than `close()` */
  onClosed?: (err: StorageClosedError) => void
}

/**
 * One open database. Every call goes through `transact`, which fails with a
 * StorageClosedError once the connection is gone instead of hanging.
 */
export class Connection {
  readonly #db: PeerlinkDatabase
  readonly #onClosed?: (err: StorageClosedError) => void
  #closed?: ClosedReason

  constructor (db: PeerlinkDatabase, onClosed?: (err: StorageClosedError) => void) {
    this.#db = db
    this.#onClosed = onClosed
  }

  get closed (): boolean {
    return this.#closed != null
  }

  close (reason: ClosedReason = 'closed'): void {
    if (this.#closed != null) return
    this.#closed = reason
    // transactions already running still finish; new ones are refused above
    this.#db.close()
    if (reason !== 'closed') this.#onClosed?.(new StorageClosedError(reason))
  }

  /**
   * Runs `body` in one transaction and resolves once it committed. `body` must
   * only await requests of `tx`: anything else lets the transaction commit early.
   * If `body` throws, everything it wrote is rolled back.
   *
   * Writes are 'strict' unless the caller says otherwise: committed means on
   * disk, not only handed to the OS (Chromium's default has been 'relaxed'
   * since version 121), because a message is acknowledged, and then forgotten
   * by its sender, as soon as its write commits. Only writes whose loss a
   * later retry repairs may pass 'relaxed'.
   */
  async transact<const S extends StoreName[], M extends IDBTransactionMode, T> (
    names: S,
    mode: M,
    body: (tx: IDBPTransaction<PeerlinkSchema, S, M>) => Promise<T>,
    options: { durability?: IDBTransactionDurability } = {}
  ): Promise<T> {
    if (this.#closed != null) throw new StorageClosedError(this.#closed)
    let tx: IDBPTransaction<PeerlinkSchema, S, M>
    try {
      tx = this.#db.transaction(names, mode, { durability: options.durability ?? (mode === 'readonly' ? 'default' : 'strict') })
    } catch (err) {
      throw toStorageError(err)
    }
    // an abort also rejects `done`; whoever sees the failure first reports it
    tx.done.catch(() => {})
    // a write nobody waits on (see requests.ts) that fails aborts the
    // transaction, whose end then says only "aborted": its own error is this
    let failed: unknown
    unwrap(tx).addEventListener('error', evt => { failed ??= (evt.target as IDBRequest | null)?.error }, { once: true })
    let result: T
    try {
      result = await body(tx)
    } catch (err) {
      abortQuietly(tx)
      // requests cut short by an abort fail with AbortError; the reason is on the transaction
      throw toStorageError(isQuotaError(tx.error) ? tx.error : err)
    }
    try {
      await tx.done
    } catch (err) {
      throw toStorageError(isQuotaError(tx.error) ? tx.error : failed ?? err)
    }
    return result
  }
}

function abortQuietly (tx: { abort (): void }): void {
  try {
    tx.abort()
  } catch {
    // already committed or aborted: nothing left to roll back
  }
}

export async function openConnection (name: string, options: OpenConnectionOptions = {}): Promise<Connection> {
  const migrations = options.migrations ?? MIGRATIONS
  let connection: Connection | undefined
  // set when the connection must close before `openDB` has even resolved
  let closedEarly: ClosedReason | undefined
  let db: PeerlinkDatabase
  try {
    db = await openDB<PeerlinkSchema>(name, migrations.length, {
      upgrade (upgrading, oldVersion, newVersion, tx) {
        const target = newVersion ?? migrations.length
        for (let version = oldVersion + 1; version <= target; version++) {
          migrations[version - 1](upgrading, tx)
        }
      },
      blocked () {
        options.onBlocked?.()
      },
      blocking (_current, _blocked, event) {
        // another tab wants to upgrade: step aside so it can, and refuse later calls
        if (connection != null) return connection.close('versionchange')
        closedEarly = 'versionchange'
        const raw = event.target as IDBDatabase
        raw.close()
      },
      terminated () {
        if (connection != null) return connection.close('terminated')
        closedEarly = 'terminated'
      }
    })
  } catch (err) {
    throw toStorageError(err)
  }
  connection = new Connection(db, options.onClosed)
  if (closedEarly != null) connection.close(closedEarly)
  return connection
}
