import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createIdentity } from '../../src/lib/p2p/identity.ts'
import { openStore } from '../../src/lib/store/index.ts'
import { DEFAULT_DB_NAME } from '../../src/lib/store/constants.ts'
import { IDENTITY_REPLACED } from '../../src/lib/state/identity-news.ts'

afterEach(() => { vi.unstubAllGlobals() })

/** The page as the session hears it come back: into sight, or out of a freeze. */
class FakeDocument extends EventTarget {
  visibilityState: DocumentVisibilityState = 'hidden'
}

async function storeIdentity (key: Uint8Array): Promise<void> {
  const store = await openStore({ name: DEFAULT_DB_NAME })
  await store.identity.save(key)
  store.close()
}

describe('session: a tab that missed the news of an identity replaced', () => {
  it('should read the stored identity again when it comes back, and halt as the news would have halted it once it was replaced', async () => {
    vi.stubGlobal('addEventListener', () => {})
    vi.stubGlobal('location', { origin: 'http://localhost', reload: () => {} })
    await storeIdentity(await createIdentity())
    const { session } = await import('../../src/lib/state/session.svelte.ts')
    // after the import: a document there would start the node, which is not what is tested
    const page = new FakeDocument()
    vi.stubGlobal('document', page)
    await session.local()

    // back while the identity is still the one loaded: the tab goes on
    page.dispatchEvent(new Event('resume'))
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(session.phase).toBe('starting')
    expect(session.error).toBeNull()

    // another tab imported a backup while this one was frozen: its broadcast never came here
    await storeIdentity(await createIdentity())
    page.visibilityState = 'visible'
    page.dispatchEvent(new Event('visibilitychange'))
    await vi.waitFor(() => { expect(session.phase).toBe('failed') }, { timeout: 10_000 })
    expect(session.error).toBe(IDENTITY_REPLACED)
  }, 30_000)
})
