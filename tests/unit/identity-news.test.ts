import { describe, expect, it } from 'vitest'
import { createIdentity, identityFromBytes } from '../../src/lib/p2p/identity.ts'
import { IDENTITY_CHANNEL, hearIdentityReplaced, isStoredIdentity, tellIdentityReplaced } from '../../src/lib/state/identity-news.ts'
import { freshStore } from './store-helpers.ts'

describe('identity news between tabs', () => {
  it('should tell the other tabs that the identity was replaced, and not the tab that tells', async () => {
    const heard: string[] = []
    hearIdentityReplaced(() => { heard.push('this tab') })
    const otherTab = new BroadcastChannel(IDENTITY_CHANNEL)
    const told = new Promise<void>(resolve => { otherTab.addEventListener('message', () => { resolve() }, { once: true }) })
    tellIdentityReplaced()
    await told
    otherTab.close()
    expect(heard).toEqual([])
  })

  it('should hear another tab tell', async () => {
    const heard = new Promise<void>(resolve => { hearIdentityReplaced(resolve) })
    const otherTab = new BroadcastChannel(IDENTITY_CHANNEL)
    otherTab.postMessage('replaced')
    await heard
    otherTab.close()
  })

  it('should see whether the stored identity is still the one a tab loaded', async () => {
    const { store } = await freshStore()
    const loaded = await createIdentity()
    await store.identity.save(loaded)
    const p2p = { identityFromBytes }
    expect(await isStoredIdentity(store, identityFromBytes(loaded), p2p)).toBe(true)
    await store.identity.save(await createIdentity())
    expect(await isStoredIdentity(store, identityFromBytes(loaded), p2p)).toBe(false)
    await store.identity.save(new Uint8Array([1, 2, 3]))
    expect(await isStoredIdentity(store, identityFromBytes(loaded), p2p)).toBe(false)
    store.close()
  })
})
