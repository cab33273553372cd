import { afterEach, describe, expect, it, vi } from 'vitest'

// the logger's chunk cannot be loaded: offline before the cache held it, or a build replaced since the page loaded
vi.mock('@libp2p/logger', () => { throw new Error('Failed to fetch dynamically imported module') })
const { debugLogger } = await import('../../src/lib/p2p/debug-log.ts')

afterEach(() => {
  vi.unstubAllGlobals()
})

describe("the node's logger, asked for but not loadable", () => {
  it('should be left to the build, so that the node still starts', async () => {
    vi.stubGlobal('localStorage', { getItem: () => 'libp2p:*' })
    expect(await debugLogger()).toBeUndefined()
  })
})
