import { describe, expect, it, vi } from 'vitest'

// the probe's code cannot be loaded: no network, and no cached copy of its chunk
vi.mock('../../src/lib/p2p/reservation-probe.ts', () => { throw new Error('Failed to fetch dynamically imported module') })
const { askForReservation } = await import('../../src/lib/p2p/ask-relay.ts')

describe('asking a relay for a reservation, with the code loaded on first use', () => {
  it('should take code that cannot be loaded as no answer, as a silent relay, not fail its caller', async () => {
    expect(await askForReservation({} as never)).toBe('no-answer')
  })
})
