/**
 * The platform's floor for persistence: the writes Peerlink makes per
 * message, on bare IndexedDB with nothing else in the page. Records have the
 * app's shape, key and indexes (the messages, outbox and statuses stores of
 * src/lib/store/db.ts), and each write lists its messages in the outbox, as
 * the sender's does (the receiver's lists nothing: its writes cost a little less).
 */

export interface StoreFloor {
  /**
   * ms for `count` records added in strict transactions of `batch` (each with
   * its outbox entry), then one
   * entry per batch naming its records with their new state (relaxed), as
   * the app logs an ack frame's states; neither folds them in afterwards
   */
  burstMs: number
  /** ms per single record added in its own strict transaction (with its outbox entry), one after the other */
  singleMs: number[]
  /** the same, each after a quiet spell (`gapMs`), as single messages are written */
  singleIdleMs: number[]
}

const PEER = '12D3KooWBenchBenchBenchBenchBenchBenchBenchBenchBenc'

async function openFresh (): Promise<IDBDatabase> {
  return await new Promise((resolve, reject) => {
    const req = indexedDB.open(`peerlink-bench-${Date.now()}-${Math.random()}`, 1)
    req.onupgradeneeded = () => {
      const messages = req.result.createObjectStore('messages', { keyPath: ['peer', 'direction', 'id'] })
      messages.createIndex('by-conversation', ['peer', 'sentAt', 'id'])
      messages.createIndex('by-unread', 'unreadFrom')
      req.result.createObjectStore('statuses', { keyPath: 'n', autoIncrement: true }).createIndex('by-peer', 'peer')
      req.result.createObjectStore('outbox', { keyPath: 'n', autoIncrement: true }).createIndex('by-peer', 'peer')
    }
    req.onsuccess = () => { resolve(req.result) }
    req.onerror = () => { reject(req.error) }
  })
}

async function committed (tx: IDBTransaction): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => { resolve() }
    tx.onerror = () => { reject(tx.error) }
    tx.onabort = () => { reject(tx.error) }
  })
}

function message (i: number, status: string): Record<string, unknown> {
  const id = Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('')
  return { peer: PEER, direction: 'out', id, text: `burst ${i}`, sentAt: Date.now() + i, storedAt: Date.now(), seq: i + 1, status }
}

/** One write of new messages, as the app's: the records, and one outbox entry naming them. */
function addAll (tx: IDBTransaction, records: Array<Record<string, unknown>>): void {
  for (const r of records) tx.objectStore('messages').add(r)
  tx.objectStore('outbox').add({ peer: PEER, ids: records.map(r => r.id) })
}

async function addOne (db: IDBDatabase, record: Record<string, unknown>): Promise<number> {
  const start = performance.now()
  const tx = db.transaction(['messages', 'outbox'], 'readwrite', { durability: 'strict' })
  addAll(tx, [record])
  await committed(tx)
  return performance.now() - start
}

export async function bareStore (count: number, batch: number, singles: number, idleSingles = 0, gapMs = 0): Promise<StoreFloor> {
  const db = await openFresh()
  try {
    const records = Array.from({ length: count }, (_, i) => message(i, 'queued'))
    const t0 = performance.now()
    for (let i = 0; i < count; i += batch) {
      const tx = db.transaction(['messages', 'outbox'], 'readwrite', { durability: 'strict' })
      addAll(tx, records.slice(i, i + batch))
      await committed(tx)
    }
    for (let i = 0; i < count; i += batch) {
      const tx = db.transaction('statuses', 'readwrite', { durability: 'relaxed' })
      tx.objectStore('statuses').add({ peer: PEER, ids: records.slice(i, i + batch).map(r => r.id), status: 'read' })
      await committed(tx)
    }
    const burstMs = performance.now() - t0
    const singleMs: number[] = []
    for (let i = 0; i < singles; i++) singleMs.push(await addOne(db, message(count + i, 'read')))
    const singleIdleMs: number[] = []
    for (let i = 0; i < idleSingles; i++) {
      await new Promise(resolve => setTimeout(resolve, gapMs))
      singleIdleMs.push(await addOne(db, message(count + singles + i, 'read')))
    }
    return { burstMs, singleMs, singleIdleMs }
  } finally {
    const name = db.name
    db.close()
    indexedDB.deleteDatabase(name)
  }
}
