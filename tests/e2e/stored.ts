import type { Page } from 'playwright-core'

export interface StoredRow { peer: string, id: string, direction: string, text: string, status: string }

/**
 * Every message the app in `page` holds (of one conversation, when `peer` is
 * given), read straight from its IndexedDB rather than through the app, with
 * the delivery states logged apart from them laid over them as the app does.
 */
export async function storedMessages (page: Page, peer?: string): Promise<StoredRow[]> {
  return await page.evaluate(async (peer) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('peerlink')
      req.onsuccess = () => { resolve(req.result) }
      req.onerror = () => { reject(req.error) }
    })
    try {
      // one transaction: a fold in between two would move states out of the log after the messages were read
      const tx = db.transaction(['messages', 'statuses'])
      const getAll = async (store: string): Promise<Array<Record<string, any>>> => await new Promise((resolve, reject) => {
        const req = tx.objectStore(store).getAll()
        req.onsuccess = () => { resolve(req.result) }
        req.onerror = () => { reject(req.error) }
      })
      const [all, log] = await Promise.all([getAll('messages'), getAll('statuses')])
      // own messages' delivery states not folded into them yet, laid over them
      // as the app's reads do (src/lib/store/status-log.ts), forward only
      const rank = ['queued', 'sent', 'delivered', 'read']
      const logged = new Map<string, string>()
      for (const { peer, ids, status } of log) {
        for (const id of ids as string[]) {
          const key = `${peer as string} ${id}`
          if (rank.indexOf(status) > rank.indexOf(logged.get(key) ?? 'queued')) logged.set(key, status)
        }
      }
      const statusOf = (m: Record<string, string>): string => {
        const later = m.direction === 'out' ? logged.get(`${m.peer} ${m.id}`) : undefined
        return later != null && rank.indexOf(later) > rank.indexOf(m.status) ? later : m.status
      }
      return all
        .filter(m => peer == null || m.peer === peer)
        .map(m => ({ peer: m.peer, id: m.id, direction: m.direction, text: m.text, status: statusOf(m) }))
    } finally {
      db.close()
    }
  }, peer)
}
