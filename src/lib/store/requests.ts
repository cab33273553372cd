import { unwrap, type IDBPObjectStore } from 'idb'

/**
 * Writes records whose results nobody reads, on the browser's own store
 * object: no promise and no listeners per request, which idb's wrapper makes
 * and a burst pays for each message. A failed write aborts the transaction,
 * and the transaction's end reports why; one that throws while being made
 * throws here, and the caller's transaction is rolled back.
 */
export function writeAll (store: IDBPObjectStore<any, any, any, 'readwrite'>, method: 'add' | 'put', records: readonly unknown[]): void {
  const raw = unwrap(store)
  for (const record of records) raw[method](record)
}

/**
 * Asks the transaction to commit as soon as its requests are done instead of
 * after this page has run their success callbacks (a busy page, rendering,
 * would hold every message's commit back that long). The caller makes every
 * request first: one made later would fail.
 */
export function commitNow (tx: { commit?: () => void }): void {
  try {
    tx.commit?.()
  } catch {
    // aborted already (quota, a failed request): the transaction's end says why
  }
}

/**
 * Reads the records at `keys` on the browser's own store object, with one
 * promise for them all instead of idb's one per request, which a long
 * outbox read would pay for per message. In the order of `keys`; undefined
 * where nothing is stored. A failed read rejects, and aborts the transaction.
 */
export async function getEach<T> (store: IDBPObjectStore<any, any, any, IDBTransactionMode>, keys: readonly IDBValidKey[]): Promise<Array<T | undefined>> {
  const raw = unwrap(store)
  const found = new Array<T | undefined>(keys.length)
  if (keys.length === 0) return found
  return await new Promise((resolve, reject) => {
    let left = keys.length
    keys.forEach((key, i) => {
      const request = raw.get(key)
      request.onsuccess = () => {
        found[i] = request.result as T | undefined
        if (--left === 0) resolve(found)
      }
      request.onerror = () => { reject(request.error) }
    })
  })
}
