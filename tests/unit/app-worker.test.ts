import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const leaveLine = vi.hoisted(() => vi.fn())
vi.mock('$app/environment', () => ({ dev: false }))
vi.mock('$app/navigation', () => ({ goto: async () => {}, preloadCode: async () => {} }))
vi.mock('../../src/lib/state/session.svelte.ts', () => ({ session: { phase: 'standby', leaveLine } }))

/** The page as the worker code sees it: its worker container, its visibility and its reload. */
function page (): { container: EventTarget & { controller: object | null }, document: EventTarget & { visibilityState: string }, reload: ReturnType<typeof vi.fn> } {
  const container = Object.assign(new EventTarget(), { controller: {} as object | null })
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' })
  const reload = vi.fn()
  vi.stubGlobal('navigator', { serviceWorker: container })
  vi.stubGlobal('document', document)
  vi.stubGlobal('location', { reload })
  return { container, document, reload }
}

/** A new version took over this page (another tab chose "Reload"). */
function takenOver (container: EventTarget): void {
  container.dispatchEvent(new Event('controllerchange'))
}

beforeEach(() => {
  vi.resetModules()
  leaveLine.mockClear()
})
afterEach(() => { vi.unstubAllGlobals() })

describe('app worker: a page left on an older version', () => {
  it('should leave the line for the node when a new version takes over, not when the first install takes control', async () => {
    const { container } = page()
    container.controller = null
    const { appWorker } = await import('../../src/lib/state/app-worker.svelte.ts')
    appWorker.listen()
    // the first install claims the page: no version was replaced
    takenOver(container)
    expect(leaveLine).not.toHaveBeenCalled()
    takenOver(container)
    expect(leaveLine).toHaveBeenCalledTimes(1)
    expect(appWorker.updateReady).toBe(true)
  })

  it('should not reload out of sight while something on the page holds it off (a file picker, a backup import), and reload once released', async () => {
    const { container, document, reload } = page()
    const { appWorker } = await import('../../src/lib/state/app-worker.svelte.ts')
    appWorker.listen()
    const release = appWorker.holdReload()
    // the file picker hides the page, and a new version takes it over meanwhile
    document.visibilityState = 'hidden'
    document.dispatchEvent(new Event('visibilitychange'))
    takenOver(container)
    expect(reload).not.toHaveBeenCalled()
    // back from the picker, and out of sight again with a backup still half imported
    document.visibilityState = 'visible'
    document.dispatchEvent(new Event('visibilitychange'))
    document.visibilityState = 'hidden'
    document.dispatchEvent(new Event('visibilitychange'))
    expect(reload).not.toHaveBeenCalled()
    release()
    release()
    document.visibilityState = 'visible'
    document.dispatchEvent(new Event('visibilitychange'))
    document.visibilityState = 'hidden'
    document.dispatchEvent(new Event('visibilitychange'))
    expect(reload).toHaveBeenCalledTimes(1)
  })
})
