import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createIdentity } from '../../src/lib/p2p/identity.ts'
import { openStore } from '../../src/lib/store/index.ts'
import { DEFAULT_DB_NAME } from '../../src/lib/store/constants.ts'

afterEach(() => { vi.unstubAllGlobals() })

describe('session: a damaged stored identity', () => {
  it('should refuse to start as a new identity, and still let a backup replace it', async () => {
    vi.stubGlobal('addEventListener', () => {})
    vi.stubGlobal('location', { origin: 'http://localhost', reload: () => {} })
    const damaged = await openStore({ name: DEFAULT_DB_NAME })
    await damaged.identity.save(new Uint8Array([1, 2, 3, 4]))
    damaged.close()

    const { session } = await import('../../src/lib/state/session.svelte.ts')
    // a new identity would orphan the user's link: the app says what is wrong instead
    await expect(session.local()).rejects.toThrow(/damaged/)
    // and what to do about it, on the page that can
    await expect(session.local()).rejects.toThrow(/Import a backup of your identity on the Backup page/)
    // the backup page's way out, which keeps the conversations
    const backup = await createIdentity()
    await session.replaceIdentity(backup)

    const check = await openStore({ name: DEFAULT_DB_NAME })
    expect(await check.identity.load()).toEqual(backup)
    check.close()
  }, 30_000)
})
