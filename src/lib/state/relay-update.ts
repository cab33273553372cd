import type { IceServers } from './ice-servers.ts'
import type { RelayInfo } from '../shared/relay-info.ts'
import type { KnownRelays } from '../p2p/known-relays.ts'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What a fresh relay description changes in the running node. */
export interface RelayUpdateParts {
  /** the relays the gater, the reservation guard and the keeper read */
  known: KnownRelays
  ice: IceServers
  /** the peer IDs the node is connected to now */
  connectedPeers: () => string[]
  /** the keeper's "try again now": a relay that just joined may answer while the known ones do not */
  reconnectNow: () => void
  /** relays.ts's parser for the `relays` list */
  otherRelayAddresses: (info: RelayInfo) => Multiaddr[]
  /** the addresses of the relay a description is of (relays.ts's relayAddresses, from this page's origin) */
  ownRelayAddresses: (info: RelayInfo) => Multiaddr[]
  /** the peer ID of the relay this page started with */
  ownPeerId: string
  log: (message: string) => void
}

/**
 * Puts a description fetched while the node runs to use: its ICE servers go
 * to the next WebRTC connection, its list of other relays replaces the one
 * held (KnownRelays keeps a relay gone from it while the node still uses it).
 * A relay at the page's origin that answers with a new identity (its key was
 * lost or replaced) is taken on as another relay: the page's own relay
 * addresses name the old identity, which no longer answers, and without it
 * the page would stay unreachable until a reload.
 */
export function applyRelayInfo (info: RelayInfo, parts: RelayUpdateParts): void {
  parts.ice.replace(info.iceServers)
  const renamed = info.peerId !== parts.ownPeerId ? parts.ownRelayAddresses(info) : []
  if (renamed.length > 0) parts.log(`relay.json names relay ${info.peerId}, not ${parts.ownPeerId} this page started with: dialing it as another relay`)
  const connected = new Set(parts.connectedPeers())
  const { added, removed } = parts.known.setOthers([...renamed, ...parts.otherRelayAddresses(info)], id => connected.has(id))
  if (added.length === 0 && removed.length === 0) return
  parts.log(`relay.json lists ${added.length} new relay(s), ${removed.length} gone`)
  if (added.length > 0) parts.reconnectNow()
}
