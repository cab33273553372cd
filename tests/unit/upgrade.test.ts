import { peerIdFromString } from '@libp2p/peer-id'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useAsCarrier } from '../../src/lib/p2p/connectivity.ts'
import { UPGRADE_SOON_MS } from '../../src/lib/p2p/constants.ts'
import { keepUpgrading } from '../../src/lib/p2p/upgrade.ts'
import type { PeerlinkNode } from '../../src/lib/p2p/node.ts'
import type { Connection } from '@libp2p/interface'

const FRIEND = peerIdFromString('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')

/** A started node whose only connection to the friend is a relayed one carrying the chat. */
function relayedNode (): EventTarget & { status: string, getConnections: () => Connection[] } {
  const carrier = { status: 'open', limits: { bytes: 1n << 24n, seconds: 1800 }, remotePeer: FRIEND } as unknown as Connection
  useAsCarrier(carrier)
  return Object.assign(new EventTarget(), { status: 'started', getConnections: () => [carrier] })
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
})
