/**
 * Delivery states of own messages, logged apart from the messages and
 * written into them once the page is quiet.
 *
 * Why: under a burst every own message is acked within milliseconds, and
 * writing each ack into its message record was one put per message, which
 * cost the sending page as much as the message's own add (a burst's trace:
 * 421 ms setting up those puts, 415 ms the adds). One ack frame covers up
 * to 256 messages, so one log entry per frame is one request instead of 256.
 * Every read of own messages lays the log over the records, forward only,
 * so nothing that reads through the store can tell the difference.
 */
import type { IDBPObjectStore, IDBPTransaction } from 'idb'
import type { Connection, PeerlinkSchema } from './db.ts'
import { unlist, undelivered } from './outbox.ts'
import { commitNow, getEach, writeAll } from './requests.ts'
import { statusRank, type MessageStatus, type StoredMessage } from './types.ts'

/** One ack, receipt or late 'sent' of some of our messages to `peer`. */
export interface StatusEntry {
  /** the log's order: assigned by the store */
  n?: number
  peer: string
  ids: string[]
  status: MessageStatus
  /** when it was logged (ms); entries logged before this field existed have none */
  at?: number
}

/**
 * The log is folded once no state was logged, and no message written, for
 * this long: a burst's acks and writes come milliseconds apart, so its fold
 * waits for its end instead of competing with it for the database.
 */
export const FOLD_AFTER_QUIET_MS = 1_000

/**
 * ...or once this page has logged this many entries since the last fold:
 * every read of own messages lays the whole log over what it read. An entry
 * is one ack frame's ids (up to 256), or under a burst several frames' merged
 * into one write (MAX_MERGED_FRAMES, 4,096 ids), so the map to build is of a
 * few thousand ids at a person's pace and at most 262,144 under a flood. A
 * flood with no quiet second is then folded while it goes on, a slice at a
 * time, and a few bursts with short pauses between them are not. (Counting
 * ids instead kept a chat's single-id entries from starting a fold in the
 * middle of the next burst, but did not make the burst faster in four
 * alternating rounds: docs/performance.md, 2026-12-06 night.)
 */
export const FOLD_AT_MOST_ENTRIES = 64

/** Entries folded per transaction, at most: a chat at human pace logs an entry of an id or two per message. */
export const FOLD_SLICE_ENTRIES = 4

/**
 * ...and ids, at most (one entry is folded whatever its size): a slice is
 * that many reads and puts, and a message written meanwhile waits for it.
 * Slices of four full entries (1,024 ids) took 1 s each on disk when a burst
 * began as a fold did, and held its first writes and acks back that long.
 */
export const FOLD_SLICE_IDS = 256

/**
 * A fold keeps, this long after it was logged, the part of an entry that
 * names messages not stored: an ack can beat its message's write (the message
 * goes out while its write commits), and a write the browser rolls back is
 * done again the long way, maybe after a fold. Dropped then, the ack would be
 * lost and the message sent again. Past this the write has failed for good
 * (storage full), and the message it names will never be stored.
 */
export const KEEP_UNSTORED_MS = 60_000

/** A fold that kept entries looks at them again this much later, for the write they wait for. */
export const KEPT_LOOK_AGAIN_MS = 5_000

/** What one slice of a fold did. */
export interface FoldedSlice {
  /** entries past the slice */
  left: number
  /** where the next slice starts: entries kept by this one stay behind it */
  next: number
  /** entries kept for messages not stored yet */
  kept: number
}

type LogTx<M extends IDBTransactionMode> = IDBPTransaction<PeerlinkSchema, Array<'messages' | 'statuses' | 'outbox'>, M>

/** The furthest state each id has in `entries`. */
function furthest (entries: readonly StatusEntry[]): Map<string, MessageStatus> {
  const states = new Map<string, MessageStatus>()
  for (const { ids, status } of entries) {
    for (const id of ids) {
      const known = states.get(id)
      if (known == null || statusRank(status) > statusRank(known)) states.set(id, status)
    }
  }
  return states
}

/** The states logged for our messages to `peer`, not folded yet. */
export async function loggedStates (tx: LogTx<IDBTransactionMode>, peer: string): Promise<Map<string, MessageStatus>> {
  return furthest(await tx.objectStore('statuses').index('by-peer').getAll(peer))
}

/** `message` with the state the log moved it to, if any (own messages only, forward only). */
export function withLogged (message: StoredMessage, logged: ReadonlyMap<string, MessageStatus>): StoredMessage {
  if (message.direction !== 'out') return message
  const status = logged.get(message.id)
  return status != null && statusRank(status) > statusRank(message.status) ? { ...message, status } : message
}

/** Logs `status` for messages the caller found behind it: one request, whatever their number. */
export function logStatus (log: IDBPObjectStore<PeerlinkSchema, any, 'statuses', 'readwrite'>, peer: string, ids: string[], status: MessageStatus): void {
  if (ids.length > 0) writeAll(log, 'add', [{ peer, ids, status, at: Date.now() } satisfies StatusEntry])
}

/** The first of `entries`, and those after it while their ids fit FOLD_SLICE_IDS. */
function withinIds (entries: StatusEntry[]): StatusEntry[] {
  const taken: StatusEntry[] = []
  let ids = 0
  for (const entry of entries) {
    if (taken.length > 0 && ids + entry.ids.length > FOLD_SLICE_IDS) break
    taken.push(entry)
    ids += entry.ids.length
  }
  return taken
}

/**
 * Writes the oldest entries from key `from` on into their message records,
 * takes the messages now delivered out of the outbox, and deletes the
 * entries, in one transaction (a fold cut short leaves both as they
 * were). An entry naming messages not stored is kept for them, for a while
 * (KEEP_UNSTORED_MS); the next slice starts past it, so a fold ends.
 */
export async function foldSlice (connection: Connection, from = 0, now = Date.now()): Promise<FoldedSlice> {
  return await connection.transact(['messages', 'statuses', 'outbox'], 'readwrite', async tx => {
    const log = tx.objectStore('statuses')
    const range = IDBKeyRange.lowerBound(from)
    const [read, total] = await Promise.all([log.getAll(range, FOLD_SLICE_ENTRIES), log.count(range)])
    if (read.length === 0) return { left: 0, next: from, kept: 0 }
    const entries = withinIds(read)
    const byPeer = new Map<string, StatusEntry[]>()
    for (const entry of entries) byPeer.set(entry.peer, [...(byPeer.get(entry.peer) ?? []), entry])
    const messages = tx.objectStore('messages')
    const unstored = new Set<string>()
    const delivered = new Map([...byPeer.keys()].map(peer => [peer, new Set<string>()]))
    const states = [...byPeer].flatMap(([peer, logged]) => [...furthest(logged)].map(([id, status]) => ({ peer, id, status })))
    const found = await getEach<StoredMessage>(messages, states.map(({ peer, id }) => [peer, 'out', id]))
    const moved = states.map(({ peer, id, status }, i) => {
      const message = found[i]
      if (message == null) {
        unstored.add(`${peer} ${id}`)
        return undefined
      }
      const folded = withLogged(message, new Map([[id, status]]))
      // delivered by this slice: listed until now (one delivered before was taken out then)
      if (undelivered(message.status) && !undelivered(folded.status)) delivered.get(peer)!.add(id)
      return folded === message ? undefined : folded
    })
    writeAll(messages, 'put', moved.filter((m): m is StoredMessage => m != null))
    await unlist(tx.objectStore('outbox'), delivered)
    const kept = entries
      .filter(entry => now - (entry.at ?? -Infinity) < KEEP_UNSTORED_MS)
      .map(entry => ({ ...entry, ids: entry.ids.filter(id => unstored.has(`${entry.peer} ${id}`)) }))
      .filter(entry => entry.ids.length > 0)
    // entries are taken from the front, in key order: one range covers them
    const last = entries[entries.length - 1].n!
    log.delete(IDBKeyRange.bound(entries[0].n, last))
    writeAll(log, 'put', kept)
    commitNow(tx)
    return { left: total - entries.length, next: last + 1, kept: kept.length }
  }, { durability: 'relaxed' })
}

/**
 * Folds the log once it is quiet (or has grown too long), a slice per task,
 * and stops when acks start coming again unless it is still too long. A fold
 * that fails leaves the log as it was: reads still lay it over the records,
 * and the next logged state tries again.
 */
export class LogFolder {
  readonly #connection: Connection
  #timer?: ReturnType<typeof setTimeout>
  #lastActive = 0
  /** entries this page logged, ever, and of them those no fold has taken yet (as far as it knows) */
  #loggedCount = 0
  #unfolded = 0
  #running = false

  constructor (connection: Connection) {
    this.#connection = connection
  }

  /** This page logged an entry now. */
  logged (now = Date.now()): void {
    this.#loggedCount++
    this.#unfolded++
    this.soon(now)
  }

  /** The log has entries (logged now, or found by a read): fold them once quiet. */
  soon (now = Date.now()): void {
    this.#lastActive = now
    this.#arm(this.#wait(now))
  }

  /**
   * Messages are being written now: a fold waits for quiet, as for acks.
   * A burst's first writes come before any ack of it does, and a fold that
   * began just then went on, a slice at a time, in its way.
   */
  busy (now = Date.now()): void {
    this.#lastActive = now
  }

  #arm (ms: number): void {
    if (this.#timer != null) {
      if (ms > 0) return
      // grown too long: now, not when the quiet timer would have fired
      clearTimeout(this.#timer)
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#wake()
    }, ms)
  }

  /** ms until the log may be folded: 0 once it is quiet or too long. */
  #wait (now: number): number {
    if (this.#unfolded >= FOLD_AT_MOST_ENTRIES) return 0
    return Math.max(FOLD_AFTER_QUIET_MS - (now - this.#lastActive), 0)
  }

  #wake (): void {
    // a fold running now may have counted the log before the newest entry: look again after it
    const wait = this.#running ? FOLD_AFTER_QUIET_MS : this.#wait(Date.now())
    if (wait > 0) return this.#arm(wait)
    this.#fold().catch(() => {})
  }

  async #fold (): Promise<void> {
    this.#running = true
    try {
      let from = 0
      let kept = 0
      while (!this.#connection.closed) {
        const loggedBefore = this.#loggedCount
        const slice = await foldSlice(this.#connection, from)
        from = slice.next
        kept += slice.kept
        this.#unfolded = Math.min(this.#unfolded, slice.left + this.#loggedCount - loggedBefore)
        if (slice.left === 0) {
          // their message's write may still come: look again then, whether or not more acks do
          if (kept > 0) this.#arm(KEPT_LOOK_AGAIN_MS)
          return
        }
        // acks are coming again and the log is short: the rest waits for the next quiet
        const wait = this.#wait(Date.now())
        if (wait > 0) return this.#arm(wait)
        // one slice per task: a page event waiting in between runs first
        await new Promise(resolve => setTimeout(resolve, 0))
      }
    } finally {
      this.#running = false
    }
  }
}
