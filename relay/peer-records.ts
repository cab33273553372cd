/**
 * Which of the peer store's records the relay must never drop to stay under
 * MAX_PEER_RECORDS: its own, its bootstrap relays' (their keep-alive tag lives
 * there) and every connected peer's (identify wrote their protocols there,
 * and the DHT hands their addresses out). Nor, to stay under MAX_DHT_RECORDS,
 * the location record of a connected peer: where its friends look it up.
 */
import type { Libp2p, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdOf } from '../src/lib/shared/addresses.ts'
import { locationKey } from '../src/lib/shared/location-record.ts'
import { PEER_RECORD_PREFIX } from './constants.ts'
import { recordKey } from './newest-location.ts'

/** The datastore key of a peer's record, as @libp2p/peer-store writes it. */
export function peerRecordKey (peer: PeerId): string {
  return `${PEER_RECORD_PREFIX}${peer.toCID().toString()}`
}

/** The datastore key of the location record a peer puts under its own peer ID. */
export function locationRecordKey (peer: PeerId): string {
  return recordKey(locationKey(peer)).toString()
}

export class KeptPeerRecords {
  readonly #keys = new Set<string>()
  readonly #locations = new Set<string>()

  /** for BoundedDatastore's `keep`: peer store records */
  readonly has = (key: string): boolean => this.#keys.has(key)
  /** for BoundedDatastore's `keep`: DHT records */
  readonly hasLocation = (key: string): boolean => this.#locations.has(key)

  /** From the node's start on: the records of `node` itself, of `bootstrap`'s relays and of connected peers. */
  follow (node: Libp2p, bootstrap: string[]): void {
    this.#keys.add(peerRecordKey(node.peerId))
    for (const text of bootstrap) {
      const id = peerIdOf(multiaddr(text))
      if (id != null) this.#keys.add(peerRecordKey(peerIdFromString(id)))
    }
    const fixed = new Set(this.#keys)
    node.addEventListener('peer:connect', (event) => {
      this.#keys.add(peerRecordKey(event.detail))
      this.#locations.add(locationRecordKey(event.detail))
    })
    node.addEventListener('peer:disconnect', (event) => {
      const key = peerRecordKey(event.detail)
      if (!fixed.has(key)) this.#keys.delete(key)
      this.#locations.delete(locationRecordKey(event.detail))
    })
  }
}
