import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { GLARE_DEFER_MS, REDIAL_MAX_MS, REDIAL_MIN_MS, Redials, STABLE_MS } from '../../src/lib/state/redials.ts'

const LOW = '12D3KooWAaaa'
const HIGH = '12D3KooWZzzz'

describe('Redials: one waiting redial per peer, with back-off', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('should redial once after the first back-off step, however often it is asked', () => {
    const dialed: string[] = []
    const redials = new Redials(LOW, peer => { dialed.push(peer) })
    redials.schedule(HIGH)
    redials.schedule(HIGH)
    expect(redials.isWaiting(HIGH)).toBe(true)
    expect(redials.failedBefore(HIGH)).toBe(true)
    // jitter draws the first wait from [REDIAL_MIN_MS / 2, REDIAL_MIN_MS]
    vi.advanceTimersByTime(REDIAL_MIN_MS / 2 - 1)
    expect(dialed).toEqual([])
    vi.advanceTimersByTime(REDIAL_MIN_MS / 2 + 1)
    expect(dialed).toEqual([HIGH])
    expect(redials.isWaiting(HIGH)).toBe(false)
  })

  it('should wait longer after each failure, up to REDIAL_MAX_MS, and start over once connected', () => {
    const dialed: string[] = []
    const redials = new Redials(LOW, peer => { dialed.push(peer) })
    for (let i = 0; i < 10; i++) {
      redials.schedule(HIGH)
      vi.advanceTimersByTime(REDIAL_MAX_MS)
    }
    expect(dialed).toHaveLength(10)
    // the tenth wait is capped: at least half of REDIAL_MAX_MS
    redials.schedule(HIGH)
    vi.advanceTimersByTime(REDIAL_MAX_MS / 2 - 1)
    expect(dialed).toHaveLength(10)
    redials.connected(HIGH)
    expect(redials.isWaiting(HIGH)).toBe(false)
    // the connection lasts: its drop starts over
    vi.advanceTimersByTime(STABLE_MS)
    expect(dialed).toHaveLength(10)
    redials.schedule(HIGH)
    vi.advanceTimersByTime(REDIAL_MIN_MS)
    expect(dialed).toHaveLength(11)
  })

  it('should count a connection that lasted as stable even if the wall clock was set back meanwhile', () => {
    const dialed: string[] = []
    const redials = new Redials(LOW, peer => { dialed.push(peer) })
    for (let i = 0; i < 8; i++) {
      redials.schedule(HIGH)
      vi.advanceTimersByTime(REDIAL_MAX_MS)
    }
    redials.connected(HIGH)
    // an hour back (the time service, or the user), then ten minutes connected
    vi.setSystemTime(Date.now() - 3_600_000)
    vi.advanceTimersByTime(10 * 60_000)
    const before = dialed.length
    redials.schedule(HIGH)
    vi.advanceTimersByTime(REDIAL_MIN_MS)
    expect(dialed).toHaveLength(before + 1)
  })

  it('should keep backing off a peer whose connections drop as soon as they open', () => {
    const dialed: string[] = []
    const redials = new Redials(LOW, peer => { dialed.push(peer) })
    // for a minute, every redial connects and the connection drops a moment later
    const minute = 60_000
    for (let t = 0; t < minute; t += 100) {
      if (!redials.isWaiting(HIGH)) {
        redials.connected(HIGH)
        vi.advanceTimersByTime(50)
        redials.schedule(HIGH)
      }
      vi.advanceTimersByTime(100)
    }
    // 1 + 2 + 4 + 8 + 16 + 30 s at most, jittered down to half: a handful, not one a second
    expect(dialed.length).toBeLessThanOrEqual(10)
    expect(dialed.length).toBeGreaterThanOrEqual(3)
  })

  it('should have the side with the larger peer ID wait GLARE_DEFER_MS longer', () => {
    const low: string[] = []
    const high: string[] = []
    new Redials(LOW, peer => { low.push(peer) }).schedule(HIGH)
    new Redials(HIGH, peer => { high.push(peer) }).schedule(LOW)
    vi.advanceTimersByTime(REDIAL_MIN_MS)
    expect(low).toEqual([HIGH])
    expect(high).toEqual([])
    vi.advanceTimersByTime(GLARE_DEFER_MS)
    expect(high).toEqual([LOW])
  })

  it('should have the side with the larger peer ID defer when everyone is redialed at once', () => {
    const low: string[] = []
    const high: string[] = []
    const lowSide = new Redials(LOW, peer => { low.push(peer) })
    const highSide = new Redials(HIGH, peer => { high.push(peer) })
    lowSide.schedule(HIGH)
    highSide.schedule(LOW)
    // the relay both use comes back for both sides in the same moment
    lowSide.now(true)
    highSide.now(true)
    expect(low).toEqual([HIGH])
    expect(high).toEqual([])
    expect(highSide.isWaiting(LOW)).toBe(true)
    // the low side's dial lands first: the high side's deferred redial is called off
    highSide.connected(LOW)
    vi.advanceTimersByTime(GLARE_DEFER_MS)
    expect(high).toEqual([])
    // had it not landed, the high side redials once the defer is over
    highSide.schedule(LOW)
    highSide.now(true)
    vi.advanceTimersByTime(GLARE_DEFER_MS - 1)
    expect(high).toEqual([])
    vi.advanceTimersByTime(1)
    expect(high).toEqual([LOW])
    // a change on its own side only (the tab shown again) has it redial at once
    highSide.schedule(LOW)
    highSide.now(false)
    expect(high).toEqual([LOW, LOW])
  })

  it('should redial everyone waiting at once when asked, and nobody after stop', () => {
    const dialed: string[] = []
    const redials = new Redials(LOW, peer => { dialed.push(peer) })
    redials.schedule(HIGH)
    redials.schedule('12D3KooWMmmm')
    redials.now(true)
    expect(dialed.sort()).toEqual(['12D3KooWMmmm', HIGH])
    expect(redials.isWaiting(HIGH)).toBe(false)
    redials.schedule(HIGH)
    redials.stop()
    vi.advanceTimersByTime(REDIAL_MAX_MS + GLARE_DEFER_MS)
    expect(dialed).toHaveLength(2)
  })
})
