import type { Page } from '@playwright/test'
import { expect } from './fixtures.ts'

/** The service worker has taken over the page: from now on the app starts from its cache. */
export async function waitControlled (page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated')
}

/** Stops the origin's service worker, as the browser does with one left idle, and waits until it has. */
export async function stopWorker (page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page)
  const running = new Set<string>()
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }: { versions: Array<{ versionId: string, runningStatus: string }> }) => {
    for (const v of versions) v.runningStatus === 'stopped' ? running.delete(v.versionId) : running.add(v.versionId)
  })
  await cdp.send('ServiceWorker.enable')
  await cdp.send('ServiceWorker.stopAllWorkers')
  await expect.poll(() => running.size).toBe(0)
  await cdp.detach()
}

/** How the worker's static routes served this page's own document. */
export async function documentSource (page: Page): Promise<{ matched?: string, final?: string }> {
  return await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming & { workerMatchedSourceType?: string, workerFinalSourceType?: string }
    return { matched: nav.workerMatchedSourceType, final: nav.workerFinalSourceType }
  })
}
