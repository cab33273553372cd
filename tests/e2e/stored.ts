import type { Page } from 'playwright-core'

export interface StoredRow { peer: string, id: string, direction: string, text: string, status: string }

/**
 * Every message the app in `page` holds (of one conversation, when `peer` is
 * given), read straight from its IndexedDB rather than through the app.
 */
export async function storedMessages (page: Page, peer?: string): Promise<StoredRow[]> {
  return await page.evaluate(async (peer) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('peerlink')
      req.onsuccess = () => { resolve(req.result) }
      req.onerror = () => { reject(req.error) }
    })
    try {
      const all = await new Promise<Array<Record<string, string>>>((resolve, reject) => {
        const req = db.transaction('messages').objectStore('messages').getAll()
        req.onsuccess = () => { resolve(req.result) }
        req.onerror = () => { reject(req.error) }
      })
      return all
        .filter(m => peer == null || m.peer === peer)
        .map(m => ({ peer: m.peer, id: m.id, direction: m.direction, text: m.text, status: m.status }))
    } finally {
      db.close()
    }
  }, peer)
}
