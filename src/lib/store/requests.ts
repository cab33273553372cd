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
