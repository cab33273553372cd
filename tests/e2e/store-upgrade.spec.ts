import { expect, messageLog, openPeer, test } from './fixtures.ts'

/**
 * Schema version 3 as released (src/lib/store/db.ts, migrations 1 to 3),
 * built in the browser itself: version 4's migration must run on real
 * IndexedDB, where its data pass runs in request callbacks and drops an
 * index at its end, not only on the unit tests' fake one.
 */
async function seedVersion3 (seed: { peer: string, own: string, unread: string }): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open('peerlink', 3)
    req.onupgradeneeded = () => {
      const d = req.result
      d.createObjectStore('meta', { keyPath: 'key' })
      d.createObjectStore('conversations', { keyPath: 'peer' }).createIndex('by-last-message', 'lastMessageAt')
      const messages = d.createObjectStore('messages', { keyPath: ['peer', 'direction', 'id'] })
      messages.createIndex('by-conversation', ['peer', 'sentAt', 'id'])
      messages.createIndex('by-status', ['peer', 'direction', 'status'])
      d.createObjectStore('statuses', { keyPath: 'n', autoIncrement: true }).createIndex('by-peer', 'peer')
    }
    req.onsuccess = () => { resolve(req.result) }
    req.onerror = () => { reject(req.error) }
  })
  const tx = db.transaction(['conversations', 'messages'], 'readwrite')
  const at = Date.now() - 60_000
  const { peer } = seed
  tx.objectStore('messages').put({ peer, direction: 'in', id: '0'.repeat(31) + '1', text: seed.unread, sentAt: at, storedAt: at, seq: 1, status: 'delivered' })
  tx.objectStore('messages').put({ peer, direction: 'out', id: '0'.repeat(31) + '2', text: seed.own, sentAt: at + 1, storedAt: at + 1, seq: 1, status: 'queued' })
  tx.objectStore('conversations').put({ peer, createdAt: at, lastMessageAt: at + 1, lastMessageText: seed.own, lastMessageDirection: 'out', unread: 1, nextSeq: 2, lastSentAt: at + 1 })
  await new Promise<void>((resolve, reject) => { tx.oncomplete = () => { resolve() }; tx.onerror = () => { reject(tx.error) } })
  db.close()
}

test('a message left queued, and one left unread, by the app before the outbox store are sent and read after the upgrade', async ({ browser, baseURL }) => {
  const bob = await openPeer(browser, baseURL)
  const context = await browser.newContext({ baseURL })
  const page = await context.newPage()
  // a page of the relay's that does not run the app: the database is the old version's until the app opens it
  await page.goto('/healthz')
  const seed = { peer: bob.peerId, own: 'written before the upgrade', unread: 'unread before the upgrade' }
  await page.evaluate(seedVersion3, seed)

  await page.goto(`/p/${bob.peerId}`)
  const rows = messageLog(page).locator('li')
  await expect(rows).toHaveText([new RegExp(seed.unread), new RegExp(seed.own)])
  // listed in the new outbox by the migration: sent once Bob is reachable, and he has it
  await expect(messageLog(page).locator('li.out')).toHaveAttribute('data-status', 'delivered', { timeout: 45_000 })
  await expect(bob.page.getByRole('link', { name: new RegExp(seed.own) })).toBeVisible()

  // found unread through the new index, and marked read in front of the reader
  await expect.poll(async () => await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('peerlink')
      req.onsuccess = () => { resolve(req.result) }
      req.onerror = () => { reject(req.error) }
    })
    try {
      const tx = db.transaction(['messages', 'conversations'])
      const get = async (store: string, key: IDBValidKey): Promise<Record<string, unknown>> => await new Promise((resolve, reject) => {
        const req = tx.objectStore(store).get(key)
        req.onsuccess = () => { resolve(req.result) }
        req.onerror = () => { reject(req.error) }
      })
      const peer = location.pathname.split('/p/')[1]
      const unread = await get('messages', [peer, 'in', '0'.repeat(31) + '1'])
      const conversation = await get('conversations', peer)
      return {
        version: db.version,
        indexes: [...tx.objectStore('messages').indexNames],
        status: unread.status,
        marked: Object.hasOwn(unread, 'unreadFrom'),
        unreadCount: conversation.unread
      }
    } finally {
      db.close()
    }
  })).toEqual({ version: 4, indexes: ['by-conversation', 'by-unread'], status: 'read', marked: false, unreadCount: 0 })
  await context.close()
  await bob.context.close()
})
