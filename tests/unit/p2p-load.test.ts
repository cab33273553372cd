import { describe, expect, it } from 'vitest'
import { MARKS } from '../../src/lib/shared/marks.ts'
import { loadP2p } from '../../src/lib/state/p2p-loader.ts'

describe('the libp2p code, loaded on first use', () => {
  it('is loaded once, however many parts of the app ask for it', async () => {
    const first = loadP2p()
    expect(loadP2p()).toBe(first)
    const runtime = await first
    expect(typeof runtime.createPeerlinkNode).toBe('function')
    expect(await loadP2p()).toBe(runtime)
  })

  it('leaves a mark in the performance timeline once it has run (the benchmark splits time to talk with it)', async () => {
    await loadP2p()
    expect(performance.getEntriesByName(MARKS.p2pLoaded, 'mark')).toHaveLength(1)
  })
})
