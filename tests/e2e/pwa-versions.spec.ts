import { createHash } from 'node:crypto'
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { expect, openPeer, test } from './fixtures.ts'
import { documentSource, stopWorker, waitControlled } from './worker.ts'

const BUILD = resolve(import.meta.dirname, '../../build')
const IMMUTABLE = `${BUILD}/_app/immutable`

/** The inline script's hash in the page's CSP meta tag, as SvelteKit writes it. */
function scriptHash (html: string): string {
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? ''
  return createHash('sha256').update(script).digest('base64')
}

/**
 * A deploy after the worker's install: the relay's page now loads an app
 * entry and page code under names the worker's cache has never seen, as a
 * rebuild with changed pages does. Returns the new page files and an undo.
 */
async function deployNewPageCode (): Promise<{ pages: string[], undo: () => Promise<void> }> {
  const indexFile = `${BUILD}/index.html`
  const index = await readFile(indexFile, 'utf8')
  const entry = /\/_app\/immutable\/entry\/(app\.[\w-]+)\.js/.exec(index)?.[1]
  if (entry == null) throw new Error('no app entry in index.html')
  let app = await readFile(`${IMMUTABLE}/entry/${entry}.js`, 'utf8')
  const created: string[] = []
  const pages: string[] = []
  for (const node of new Set(app.match(/nodes\/\d+\.[\w-]+\.js/g) ?? [])) {
    const renamed = node.replace(/\.js$/, '-next.js')
    await copyFile(`${IMMUTABLE}/${node}`, `${IMMUTABLE}/${renamed}`)
    created.push(`${IMMUTABLE}/${renamed}`)
    // node 1 is the error page, loaded only on an error
    if (!renamed.startsWith('nodes/1.')) pages.push(`/_app/immutable/${renamed}`)
    app = app.replaceAll(node, renamed)
  }
  await writeFile(`${IMMUTABLE}/entry/${entry}-next.js`, app)
  created.push(`${IMMUTABLE}/entry/${entry}-next.js`)
  const next = index.replaceAll(`entry/${entry}.js`, `entry/${entry}-next.js`)
  await writeFile(indexFile, next.replace(scriptHash(index), scriptHash(next)))
  return {
    pages,
    undo: async () => {
      await writeFile(indexFile, index)
      for (const file of created) await rm(file)
    }
  }
}

test('a link opened after a deploy, while the worker was stopped, still opens the app\'s other pages once the relay is gone', async ({ browser, baseURL, relay }) => {
  const bob = await openPeer(browser, baseURL)
  const friend = '12D3KooWRaPePUeKMs4dWsZe5EwuS6q3zfy41XE46X3zzAcLj13t'
  let undo = async (): Promise<void> => {}
  try {
    await waitControlled(bob.page)
    const deployed = await deployNewPageCode()
    undo = deployed.undo
    // the race between the relay and the stopped worker: on loopback the relay
    // mostly answers first, but a worker that starts fast can win, so try again
    let source = ''
    for (let attempt = 0; attempt < 10 && source !== 'network'; attempt++) {
      await stopWorker(bob.page)
      await bob.page.goto(`/p/${friend}`)
      source = (await documentSource(bob.page)).final ?? ''
    }
    expect(source).toBe('network')
    await expect(bob.page.getByRole('heading', { level: 1 })).toBeVisible()
    await expect(bob.page.locator('[data-relay]')).toHaveText('Online')

    // the new build's page code is fetched while the relay is there...
    const fetched = async (): Promise<string[]> => await bob.page.evaluate(() => performance.getEntriesByType('resource').map(e => new URL(e.name).pathname))
    await expect.poll(async () => { const have = await fetched(); return deployed.pages.filter(path => !have.includes(path)) }, { timeout: 15_000 }).toEqual([])

    // ...so the other pages open without it
    await relay.stop()
    await bob.context.setOffline(true)
    await bob.page.getByRole('link', { name: 'Peerlink' }).click()
    await expect(bob.page.getByLabel('Your link', { exact: true })).toHaveValue(bob.link)
    await bob.page.getByRole('link', { name: 'Diagnostics' }).click()
    await expect(bob.page.getByRole('heading', { name: 'Diagnostics' })).toBeVisible()
    await bob.page.getByRole('link', { name: 'Backup' }).click()
    await expect(bob.page.getByRole('heading', { name: 'Back up your identity' })).toBeVisible()
  } finally {
    await undo()
    await relay.start()
    await bob.context.close()
  }
})
