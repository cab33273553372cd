import { describe, expect, it, vi } from 'vitest'
import { collected } from '../../bench/inspector.ts'

/** An inspector address nothing listens on: the relay's inspector went, or never answered. */
const GONE = 'ws://127.0.0.1:1/gone'

describe("the relay's figures after a forced GC", () => {
  it('should be no figure, not a failed run, when the inspector cannot be reached', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(await collected(GONE, process.pid, 1)).toBeUndefined()
  })

  it('should be no figure without an inspector', async () => {
    expect(await collected('', process.pid, 1)).toBeUndefined()
  })
})
