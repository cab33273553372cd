import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SETTLE_MAX_MS, SETTLE_QUIET_MS, whenStartSettled } from '../../src/lib/state/start-settled.ts'
import type { RelayStatus } from '../../src/lib/p2p/relay-keeper.ts'

class FakeRelay extends EventTarget {
  status: RelayStatus = 'connecting'
  set (status: RelayStatus): void {
    this.status = status
    this.dispatchEvent(new Event('status'))
  }
}

class FakeDials extends EventTarget {
  dialsInProgress = 0
  set (count: number): void {
    this.dialsInProgress = count
    this.dispatchEvent(new Event('link'))
  }
}

describe('the start settles', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('once the relay has answered and no dial has been under way for a while, not before', () => {
    const relay = new FakeRelay()
    const dials = new FakeDials()
    const settled = vi.fn()
    whenStartSettled(relay, dials, settled)
    dials.set(1)
    relay.set('connected')
    relay.set('reserved')
    vi.advanceTimersByTime(SETTLE_QUIET_MS)
    expect(settled).not.toHaveBeenCalled()
    dials.set(0)
    vi.advanceTimersByTime(SETTLE_QUIET_MS - 1)
    expect(settled).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(settled).toHaveBeenCalledTimes(1)
    // later dials and relay changes are none of its business
    dials.set(1)
    dials.set(0)
    relay.set('offline')
    vi.advanceTimersByTime(SETTLE_MAX_MS)
    expect(settled).toHaveBeenCalledTimes(1)
  })

  it('waits afresh when a dial starts within the quiet time', () => {
    const relay = new FakeRelay()
    relay.status = 'reserved'
    const dials = new FakeDials()
    const settled = vi.fn()
    whenStartSettled(relay, dials, settled)
    vi.advanceTimersByTime(SETTLE_QUIET_MS / 2)
    dials.set(1)
    vi.advanceTimersByTime(SETTLE_QUIET_MS)
    dials.set(0)
    vi.advanceTimersByTime(SETTLE_QUIET_MS / 2)
    expect(settled).not.toHaveBeenCalled()
    vi.advanceTimersByTime(SETTLE_QUIET_MS / 2)
    expect(settled).toHaveBeenCalledTimes(1)
  })

  it.each(['full', 'offline'] as const)('when the relay says %s, as when it grants a reservation', status => {
    const relay = new FakeRelay()
    const settled = vi.fn()
    whenStartSettled(relay, new FakeDials(), settled, { quietMs: 0 })
    relay.set('connected')
    vi.advanceTimersByTime(SETTLE_MAX_MS / 2)
    expect(settled).not.toHaveBeenCalled()
    relay.set(status)
    vi.advanceTimersByTime(0)
    expect(settled).toHaveBeenCalledTimes(1)
  })

  it('after the quiet time alone when there is nothing to wait for', () => {
    const relay = new FakeRelay()
    relay.status = 'reserved'
    const settled = vi.fn()
    whenStartSettled(relay, new FakeDials(), settled)
    vi.advanceTimersByTime(SETTLE_QUIET_MS)
    expect(settled).toHaveBeenCalledTimes(1)
  })

  it('after the longest wait, with a dial still going on', () => {
    const relay = new FakeRelay()
    const dials = new FakeDials()
    const settled = vi.fn()
    whenStartSettled(relay, dials, settled, { maxMs: 5_000 })
    dials.set(1)
    vi.advanceTimersByTime(4_999)
    expect(settled).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(settled).toHaveBeenCalledTimes(1)
  })
})
