import { afterEach, describe, expect, it, vi } from 'vitest'
import { debugLogger } from '../../src/lib/p2p/debug-log.ts'

afterEach(() => {
  vi.unstubAllGlobals()
})

const storage = (getItem: () => string | null): void => {
  vi.stubGlobal('localStorage', { getItem })
}

describe("the node's logger", () => {
  it("should be libp2p's own when localStorage.debug names what to log", async () => {
    storage(() => 'libp2p:webrtc*')
    const logger = await debugLogger()
    expect(logger).toBeDefined()
    const log = logger!.forComponent('libp2p:webrtc:probe')
    expect(typeof log.error).toBe('function')
    expect(typeof log.newScope).toBe('function')
  })

  it('should be left to the build when nothing asks for logs', async () => {
    storage(() => null)
    expect(await debugLogger()).toBeUndefined()
    storage(() => '')
    expect(await debugLogger()).toBeUndefined()
  })

  it('should be left to the build, without failing, where storage is blocked', async () => {
    storage(() => { throw new DOMException('blocked', 'SecurityError') })
    expect(await debugLogger()).toBeUndefined()
  })
})
