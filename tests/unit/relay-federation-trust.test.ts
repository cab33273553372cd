/**
 * Which relays /relay.json lists when the operator names the trusted ones
 * (--trusted-relays): a stranger's node that serves the DHT is not offered
 * to browsers, a trusted or bootstrap relay is.
 */
import { describe, expect, it } from 'vitest'
import { watchFederation } from '../../relay/federation.ts'
import type { RelayNode } from '../../relay/node.ts'
import { FakeRelayNode, newPeer } from './fixtures/fake-relay-node.ts'

describe('relay federation: trusted relays', () => {
  it('should list only the trusted relays it meets, and the bootstrap ones, when told which to trust', async () => {
    const node = new FakeRelayNode(await newPeer())
    const [trusted, stranger, bootstrap] = [await newPeer(), await newPeer(), await newPeer()]
    const bootstrapAddr = `/ip4/127.0.0.1/tcp/9003/ws/p2p/${bootstrap.toString()}`
    const federation = watchFederation(node as unknown as RelayNode, [bootstrapAddr], true, new Set([trusted.toString()]))
    node.connect(trusted, 9001)
    node.connect(stranger, 9002)
    node.connect(bootstrap, 9003)
    expect(federation.list()).toEqual([bootstrapAddr, `/ip4/127.0.0.1/tcp/9001/ws/p2p/${trusted.toString()}`])
    federation.stop()
  })

  it('should list any relay it meets when no trusted list is given', async () => {
    const node = new FakeRelayNode(await newPeer())
    const [one, other] = [await newPeer(), await newPeer()]
    const federation = watchFederation(node as unknown as RelayNode, [], true)
    node.connect(one, 9001)
    node.connect(other, 9002)
    expect(federation.list()).toHaveLength(2)
    federation.stop()
  })
})
