import { describe, expect, it } from 'vitest'
import { FLOOD_FRAME_MS, FLOOD_MESSAGES, FRAME_MS, nextUpdate } from '../../src/lib/state/cadence.ts'

describe('list update cadence', () => {
  it('should show a message at human pace at once, and updates closer than a frame in the next frame', () => {
    expect(nextUpdate(1_000, Number.NEGATIVE_INFINITY, 0)).toBe('now')
    expect(nextUpdate(1_000, 1_000 - FRAME_MS, 1)).toBe('now')
    expect(nextUpdate(1_000, 1_000 - FRAME_MS + 1, 1)).toBe('frame')
    expect(nextUpdate(1_000, 1_000 - 1, FLOOD_MESSAGES - 1)).toBe('frame')
  })

  it('should space updates out in a flood, and return to every frame once one shows fewer changes', () => {
    expect(nextUpdate(1_000, 1_000 - 50, FLOOD_MESSAGES)).toBe(FLOOD_FRAME_MS - 50)
    expect(nextUpdate(1_000, 1_000 - FLOOD_FRAME_MS, FLOOD_MESSAGES * 10)).toBe('now')
    expect(nextUpdate(1_000, 1_000 - 50, 3)).toBe('now')
  })
})
