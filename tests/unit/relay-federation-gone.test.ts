/**
 * How long /relay.json keeps listing a relay it learned from the DHT once
 * that relay has gone: browsers try the listed relays in turn when theirs is down.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LISTED_RELAY_GONE_MS } from '../../relay/constants.ts'
import { watchFederation } from '../../relay/federation.ts'
import type { RelayNode } from '../../relay/node.ts'
import { FakeRelayNode, newPeer } from './fixtures/fake-relay-node.ts'

afterEach(() => { vi.useRealTimers() })

describe('relay federation: relays that went away', () => {
  it('should stop listing a learned relay gone for good, and keep one that is back in time', async () => {
    const node = new FakeRelayNode(await newPeer())
    const [gone, restarted] = [await newPeer(), await newPeer()]
    vi.useFakeTimers({ toFake: ['performance'] })
    const federation = watchFederation(node as unknown as RelayNode, [], true)
    node.connect(gone, 9001)
    node.connect(restarted, 9002)
    expect(federation.list()).toHaveLength(2)

    node.disconnect(gone)
    node.disconnect(restarted)
    vi.advanceTimersByTime(LISTED_RELAY_GONE_MS / 2)
    // an upgrade: back within minutes
    node.connect(restarted, 9002)
    expect(federation.list()).toHaveLength(2)
    vi.advanceTimersByTime(LISTED_RELAY_GONE_MS / 2)
    expect(federation.list()).toEqual([`/ip4/127.0.0.1/tcp/9002/ws/p2p/${restarted.toString()}`])
    federation.stop()
  })
})
