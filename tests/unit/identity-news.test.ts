import { describe, expect, it } from 'vitest'
import { createIdentity, identityFromBytes } from '../../src/lib/p2p/identity.ts'
import { IDENTITY_CHANNEL, hearIdentityReplaced, hearReturn, isStoredIdentity, tellIdentityReplaced } from '../../src/lib/state/identity-news.ts'
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

describe('a tab coming back', () => {
  it('should be heard out of a freeze, into sight, or out of the back/forward cache, and not when hidden or freshly shown', () => {
    const doc = Object.assign(new EventTarget(), { visibilityState: 'hidden' as DocumentVisibilityState })
    const win = new EventTarget()
    let back = 0
    hearReturn(() => { back++ }, doc, win)
    doc.dispatchEvent(new Event('visibilitychange'))
    win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: false }))
    expect(back).toBe(0)
    doc.dispatchEvent(new Event('resume'))
    expect(back).toBe(1)
    doc.visibilityState = 'visible'
    doc.dispatchEvent(new Event('visibilitychange'))
    expect(back).toBe(2)
    win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }))
    expect(back).toBe(3)
  })
})
