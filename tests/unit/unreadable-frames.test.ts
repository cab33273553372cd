import { describe, expect, it } from 'vitest'
import { UNREADABLE_NOTICE, UNREADABLE_NOTICE_MS, UnreadableFrames } from '../../src/lib/state/unreadable-frames.ts'

describe('frames a peer sent that could not be read', () => {
  it('should count every one, and say so in an open conversation at most once per interval and peer', () => {
    let now = 1_000
    const told: Array<[string, string]> = []
    const frames = new UnreadableFrames((peer, message) => { told.push([peer, message]) }, () => now)
    // a conversation not on screen: counted, not said (a crowd of identities could keep the alert busy)
    frames.heard('mallory', false)
    expect(told).toEqual([])
    frames.heard('bob', true)
    frames.heard('bob', true)
    now += UNREADABLE_NOTICE_MS - 1
    frames.heard('bob', true)
    // each peer is told of on its own
    frames.heard('carol', true)
    expect(told).toEqual([['bob', UNREADABLE_NOTICE], ['carol', UNREADABLE_NOTICE]])
    now += 1
    frames.heard('bob', true)
    expect(told.map(([peer]) => peer)).toEqual(['bob', 'carol', 'bob'])
    expect(frames.count).toBe(6)
  })
})
