import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

// the relay never answers: these tests are about who gets the node lock, not the node
vi.mock('../../src/lib/state/relay-source.ts', () => ({ obtainRelayInfo: async () => await new Promise(() => {}) }))

interface Waiter { grant: () => void }

/** Web Locks for the one lock the app takes, as far as the session uses them; `holder` is who has it. */
function fakeLocks (): { locks: object, holder: () => string | undefined, holdElsewhere: () => () => void } {
  let holder: string | undefined
  const line: Waiter[] = []
  const next = (): void => { holder = undefined; line.shift()?.grant() }
  const run = async (who: string, callback: (lock: object | null) => Promise<void>): Promise<void> => {
    holder = who
    try { await callback({}) } finally { next() }
  }
  const locks = {
    request: async (_name: string, options: LockOptions, callback: (lock: object | null) => Promise<void>): Promise<void> => {
      if (holder == null) return await run('this tab', callback)
      if (options.ifAvailable === true) return await callback(null)
      return await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { grant: () => { run('this tab', callback).then(resolve, reject) } }
        line.push(waiter)
        options.signal?.addEventListener('abort', () => {
          line.splice(line.indexOf(waiter), 1)
          reject(new DOMException('left the line', 'AbortError'))
        }, { once: true })
      })
    }
  }
  const holdElsewhere = (): () => void => {
    holder = 'another tab'
    return next
  }
  return { locks, holder: () => holder, holdElsewhere }
}

async function until (check: () => boolean): Promise<void> {
  await vi.waitFor(() => { expect(check()).toBe(true) }, { timeout: 10_000 })
}

beforeEach(() => {
  vi.resetModules()
  vi.stubGlobal('addEventListener', () => {})
  vi.stubGlobal('location', { origin: 'http://localhost', reload: () => {} })
})
afterEach(() => { vi.unstubAllGlobals() })

/** A tab whose session waits in line for the node, which another tab runs until `release()`. */
async function waitingTab (): Promise<{ fake: ReturnType<typeof fakeLocks>, release: () => void, session: typeof import('../../src/lib/state/session.svelte.ts').session }> {
  const fake = fakeLocks()
  vi.stubGlobal('navigator', { locks: fake.locks, onLine: true })
  const release = fake.holdElsewhere()
  const { session } = await import('../../src/lib/state/session.svelte.ts')
  session.ready().catch(() => {})
  await until(() => session.phase === 'standby')
  return { fake, release, session }
}

describe('session: a tab left on an older version of the app', () => {
  it('should take the node lock when the tab that ran the node closes, as long as its code is current', async () => {
    const { fake, release, session } = await waitingTab()
    release()
    await until(() => fake.holder() === 'this tab')
    // once running here, a newer version elsewhere does not take the node away under the user's eyes
    session.leaveLine()
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(fake.holder()).toBe('this tab')
  }, 30_000)

  it('should leave the line for the node once another tab took a new version, so the node goes to that version', async () => {
    const { fake, release, session } = await waitingTab()
    session.leaveLine()
    // the tab that chose the new version reloads, which lets go of the lock
    release()
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(fake.holder()).toBeUndefined()
    expect(session.phase).toBe('standby')
    expect(session.notice).toMatch(/updated in another tab.*Reload this page/)
  }, 30_000)
})
