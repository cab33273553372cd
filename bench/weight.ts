/**
 * 5. Weight: what the first page makes the browser download (raw and
 * gzip, from build/ and the modulepreload list of build/index.html), and the
 * JS heap of a tab holding 10 conversations of 1,000 messages each, seeded
 * straight into IndexedDB in the app's own schema (src/lib/store/db.ts).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Browser, Page, Response } from 'playwright-core'
import { freshContext, waitComposer } from './app.ts'

export interface FileWeight { file: string, raw: number, gzip: number }

export interface Weight {
  files: FileWeight[]
  js: { raw: number, gzip: number }
  css: { raw: number, gzip: number }
  /** JS bytes the browser actually fetched to show the home page (network, uncompressed body) */
  loadedJs: number
  /**
   * Every JS and CSS file the first page fetched from the app before it was
   * usable (the relay reservation held), lazily loaded chunks included, raw
   * and gzip as for `files`: the first-page weight
   */
  usable: { files: FileWeight[], js: { raw: number, gzip: number }, css: { raw: number, gzip: number } }
  /** the same scripts as they came over the wire (the relay's Brotli copies) */
  transferredJs: number
  heap: { emptyHome: number, seededHome: number, seededThread: number }
  seeded: { conversations: number, messages: number }
}

/** gzip at level 9, what a static server would precompress with. */
function gz (body: Buffer): number {
  return gzipSync(body, { level: 9 }).byteLength
}

export async function firstPageFiles (buildDir: string): Promise<FileWeight[]> {
  const html = await readFile(join(buildDir, 'index.html'), 'utf8')
  const refs = new Set<string>()
  for (const m of html.matchAll(/<link[^>]+rel="(?:modulepreload|stylesheet)"[^>]+href="([^"]+)"/g)) refs.add(m[1])
  for (const m of html.matchAll(/<link[^>]+href="([^"]+)"[^>]+rel="(?:modulepreload|stylesheet)"/g)) refs.add(m[1])
  for (const m of html.matchAll(/import\("([^"]+)"\)/g)) refs.add(m[1])
  const files: FileWeight[] = []
  for (const ref of refs) {
    const body = await readFile(join(buildDir, ref.replace(/^(\.\/|\/)/, '')))
    files.push({ file: ref, raw: body.byteLength, gzip: gz(body) })
  }
  return files
}

async function heapUsed (page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('HeapProfiler.collectGarbage')
  const usage = await cdp.send('Runtime.getHeapUsage')
  await cdp.detach()
  return usage.usedSize
}

/** Writes conversations and messages in the shape src/lib/store keeps them, into the app's database. */
async function seed (page: Page, conversations: number, perConversation: number): Promise<void> {
  // real peer IDs: the app refuses to open a conversation with a malformed one
  const peers = await Promise.all(Array.from({ length: conversations }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
  await page.evaluate(async ([list, nMsg]) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('peerlink')
      req.onsuccess = () => { resolve(req.result) }
      req.onerror = () => { reject(req.error) }
    })
    const now = Date.now()
    for (let c = 0; c < list.length; c++) {
      const peer = list[c]
      const tx = db.transaction(['conversations', 'messages'], 'readwrite')
      const messages = tx.objectStore('messages')
      for (let i = 0; i < nMsg; i++) {
        const direction = i % 2 === 0 ? 'in' : 'out'
        const sentAt = now - (nMsg - i) * 60_000
        messages.put({ peer, direction, id: (c * nMsg + i).toString(16).padStart(32, '0'), text: `seeded message ${i} of a benchmark conversation, about as long as a chat line`, sentAt, storedAt: sentAt, seq: Math.floor(i / 2) + 1, status: direction === 'in' ? 'read' : 'delivered' })
      }
      tx.objectStore('conversations').put({ peer, name: `Bench ${c}`, createdAt: now - nMsg * 60_000, lastMessageAt: now - 60_000, lastMessageText: 'last', lastMessageDirection: 'out', unread: 0, nextSeq: nMsg })
      await new Promise<void>((resolve, reject) => { tx.oncomplete = () => { resolve() }; tx.onerror = () => { reject(tx.error) } })
    }
    db.close()
  }, [peers, perConversation] as const)
}

export async function weight (browser: Browser, baseURL: string, buildDir: string, conversations: number, perConversation: number): Promise<Weight> {
  const files = await firstPageFiles(buildDir)
  const sum = (ext: string, key: 'raw' | 'gzip'): number => files.filter(f => f.file.endsWith(ext)).reduce((n, f) => n + f[key], 0)
  const context = await freshContext(browser, baseURL)
  try {
    const page = await context.newPage()
    const bodies: Array<Promise<number>> = []
    const paths = new Set<string>()
    const count = (res: Response): void => {
      const path = new URL(res.url()).pathname
      if (path.endsWith('.js')) bodies.push(res.body().then(b => b.byteLength, () => 0))
      if (path.endsWith('.js') || path.endsWith('.css')) paths.add(path)
    }
    page.on('response', count)
    await page.goto('/')
    await page.waitForSelector('[data-relay="reserved"]')
    // the first load only: the reload below would count everything twice
    page.off('response', count)
    // every body asked for so far, not only those read by now
    const loadedJs = (await Promise.all(bodies)).reduce((n, b) => n + b, 0)
    const usableFiles: FileWeight[] = []
    for (const path of paths) {
      const body = await readFile(join(buildDir, path.replace(/^\//, '')))
      usableFiles.push({ file: path, raw: body.byteLength, gzip: gz(body) })
    }
    const usableSum = (ext: string, key: 'raw' | 'gzip'): number => usableFiles.filter(f => f.file.endsWith(ext)).reduce((n, f) => n + f[key], 0)
    const transferredJs = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter(r => new URL(r.name).pathname.endsWith('.js'))
      .reduce((n, r) => n + (r as PerformanceResourceTiming).encodedBodySize, 0))
    const emptyHome = await heapUsed(page)
    await seed(page, conversations, perConversation)
    await page.reload()
    await page.waitForSelector('[data-relay="reserved"]')
    await page.waitForFunction(n => document.querySelectorAll('a[href^="/p/"]').length >= n, conversations)
    const seededHome = await heapUsed(page)
    await page.locator('a[href^="/p/"]').first().click()
    await waitComposer(page)
    await page.waitForSelector('li.in')
    const seededThread = await heapUsed(page)
    return {
      files,
      js: { raw: sum('.js', 'raw'), gzip: sum('.js', 'gzip') },
      css: { raw: sum('.css', 'raw'), gzip: sum('.css', 'gzip') },
      loadedJs,
      usable: { files: usableFiles, js: { raw: usableSum('.js', 'raw'), gzip: usableSum('.js', 'gzip') }, css: { raw: usableSum('.css', 'raw'), gzip: usableSum('.css', 'gzip') } },
      transferredJs,
      heap: { emptyHome, seededHome, seededThread },
      seeded: { conversations, messages: conversations * perConversation }
    }
  } finally {
    await context.close()
  }
}
