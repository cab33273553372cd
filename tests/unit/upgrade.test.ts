import { peerIdFromString } from '@libp2p/peer-id'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useAsCarrier } from '../../src/lib/p2p/connectivity.ts'
import { UPGRADE_SOON_MS, UPGRADE_YIELD_MS } from '../../src/lib/p2p/constants.ts'
import { keepUpgrading } from '../../src/lib/p2p/upgrade.ts'
import type { PeerlinkNode } from '../../src/lib/p2p/node.ts'
import type { Connection } from '@libp2p/interface'

const FRIEND = peerIdFromString('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')

/** Peer IDs are compared as strings; these sort below and above FRIEND's. */
const LOWER = peerIdFromString('12D3KooWBEV9o9zVEZUT1ycvSHTWseihmhQqHKZsRELJw5erXHHt')
const HIGHER = peerIdFromString('12D3KooWFjtwVuNwrxJJf94EU29EbXtnvUBYxmUDoZP2iYJoAdRm')

/** A started node whose only connection to the friend is a relayed one carrying the chat. */
function relayedNode (self = LOWER): EventTarget & { status: string, peerId: typeof self, getConnections: () => Connection[] } {
  const carrier = { status: 'open', limits: { bytes: 1n << 24n, seconds: 1800 }, remotePeer: FRIEND } as unknown as Connection
  useAsCarrier(carrier)
  return Object.assign(new EventTarget(), { status: 'started', peerId: self, getConnections: () => [carrier] })
}

describe('keepUpgrading: direct attempts while a relayed connection carries the chat', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('should try again after UPGRADE_SOON_MS, once per peer however often it is asked', async () => {
    const node = relayedNode()
    const attempt = vi.fn(async () => await Promise.reject(new Error('no direct path yet')))
    keepUpgrading(node as unknown as PeerlinkNode, FRIEND, Promise.resolve(), attempt)
    keepUpgrading(node as unknown as PeerlinkNode, FRIEND, Promise.resolve(), attempt)
    await vi.advanceTimersByTimeAsync(UPGRADE_SOON_MS)
    expect(attempt).toHaveBeenCalledTimes(1)
  })

  it('should leave no wait behind when the node stops, and start afresh once it runs again', async () => {
    const node = relayedNode()
    const attempt = vi.fn(async () => await Promise.reject(new Error('no direct path yet')))
    keepUpgrading(node as unknown as PeerlinkNode, FRIEND, Promise.resolve(), attempt)
    await vi.advanceTimersByTimeAsync(0)
    expect(vi.getTimerCount()).toBe(1)
    node.status = 'stopped'
    node.dispatchEvent(new Event('stop'))
    await vi.advanceTimersByTimeAsync(0)
    expect(vi.getTimerCount()).toBe(0)
    expect(attempt).not.toHaveBeenCalled()
    // started again: the peer is not still counted as having a loop
    node.status = 'started'
    keepUpgrading(node as unknown as PeerlinkNode, FRIEND, Promise.resolve(), attempt)
    await vi.advanceTimersByTimeAsync(UPGRADE_SOON_MS)
    expect(attempt).toHaveBeenCalledTimes(1)
  })

  describe('after a direct connection died under both ends', () => {
    it('should try at UPGRADE_SOON_MS on the end whose peer ID sorts lower', async () => {
      expect(LOWER.toString() < FRIEND.toString()).toBe(true)
      const attempt = vi.fn(async () => await Promise.reject(new Error('no direct path yet')))
      keepUpgrading(relayedNode(LOWER) as unknown as PeerlinkNode, FRIEND, Promise.resolve(), attempt, true)
      await vi.advanceTimersByTimeAsync(UPGRADE_SOON_MS)
      expect(attempt).toHaveBeenCalledTimes(1)
    })

    it('should leave the first try to the other end on the end whose peer ID sorts higher, and use the path it made', async () => {
      expect(HIGHER.toString() > FRIEND.toString()).toBe(true)
      const node = relayedNode(HIGHER)
      const attempt = vi.fn(async () => await Promise.reject(new Error('no direct path yet')))
      keepUpgrading(node as unknown as PeerlinkNode, FRIEND, Promise.resolve(), attempt, true)
      await vi.advanceTimersByTimeAsync(UPGRADE_SOON_MS)
      expect(attempt).not.toHaveBeenCalled()
      // the other end's attempt made a direct connection meanwhile: nothing left to do here
      const direct = { status: 'open', remotePeer: FRIEND, multiplexer: '/webrtc' } as unknown as Connection
      const carrier = node.getConnections()[0]
      node.getConnections = () => [carrier, direct]
      await vi.advanceTimersByTimeAsync(UPGRADE_YIELD_MS)
      expect(attempt).not.toHaveBeenCalled()
    })

    it('should try on the higher end too once the wait is over, when the other end\'s try made no path', async () => {
      const attempt = vi.fn(async () => await Promise.reject(new Error('no direct path yet')))
      keepUpgrading(relayedNode(HIGHER) as unknown as PeerlinkNode, FRIEND, Promise.resolve(), attempt, true)
      await vi.advanceTimersByTimeAsync(UPGRADE_SOON_MS + UPGRADE_YIELD_MS)
      expect(attempt).toHaveBeenCalledTimes(1)
    })

    it('should not hold back a fall-back\'s own quick retry, which only the dialing end makes', async () => {
      const attempt = vi.fn(async () => await Promise.reject(new Error('no direct path yet')))
      keepUpgrading(relayedNode(HIGHER) as unknown as PeerlinkNode, FRIEND, Promise.resolve(), attempt)
      await vi.advanceTimersByTimeAsync(UPGRADE_SOON_MS)
      expect(attempt).toHaveBeenCalledTimes(1)
    })
  })
})
