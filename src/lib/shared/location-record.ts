/**
 * Where a browser can be reached, as a record in Peerlink's DHT. A browser
 * publishes its circuit addresses (through the relay that holds its
 * reservation) under `/peerlink/<peerId>`, so a friend on another relay can
 * find it by the peer ID in a link alone. The value is a libp2p signed peer
 * record: only the key's owner can sign it, the relays check it before they
 * store it, and readers check it again before they dial. Shared by the relay
 * (a DHT server that validates puts) and the browser (which publishes and reads).
 */
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The DHT key namespace (the first path segment): kad-dht picks validators and selectors by it. */
export const LOCATION_NAMESPACE = 'peerlink'

const MINUTE = 60_000

/**
 * A record is believed this long after it was signed. Browsers re-publish
 * well within it while online, so a record older than this belongs to a
 * browser that went away, and dialing it would only waste a second.
 */
export const LOCATION_TTL_MS = 60 * MINUTE

/** Clocks of phones and laptops drift; a record a little from the future is still taken. */
export const LOCATION_CLOCK_SKEW_MS = 30 * MINUTE

/** A browser has one or two circuit addresses per relay; more is junk that relays should not store. */
export const MAX_LOCATION_ADDRS = 16

/** A signed record of MAX_LOCATION_ADDRS addresses fits well within this; bigger values are refused unparsed. */
export const MAX_LOCATION_BYTES = 4096

export class InvalidLocationError extends Error {
  override name = 'InvalidLocationError'
}

export interface Location {
  peerId: PeerId
  multiaddrs: Multiaddr[]
  /** when the owner signed it, by the owner's clock (ms since the epoch) */
  issuedAt: number
}

/** The DHT key a peer's location is published under. */
export function locationKey (peer: PeerId | string): Uint8Array {
  return uint8ArrayFromString(`/${LOCATION_NAMESPACE}/${peer.toString()}`)
}

/** The peer a location key belongs to; throws InvalidLocationError on any other key. */
export function locationOwner (key: Uint8Array): PeerId {
  const parts = uint8ArrayToString(key).split('/')
  if (parts.length !== 3 || parts[0] !== '' || parts[1] !== LOCATION_NAMESPACE) {
    throw new InvalidLocationError('not a Peerlink location key')
  }
  try {
    return peerIdFromString(parts[2])
  } catch {
    throw new InvalidLocationError('the location key does not hold a peer ID')
  }
}

/** Signs the addresses this browser can be reached at now. */
export async function sealLocation (privateKey: PrivateKey, peerId: PeerId, multiaddrs: Multiaddr[], now = Date.now()): Promise<Uint8Array> {
  if (multiaddrs.length === 0 || multiaddrs.length > MAX_LOCATION_ADDRS) {
    throw new InvalidLocationError(`a location holds 1 to ${MAX_LOCATION_ADDRS} addresses`)
  }
  const record = new PeerRecord({ peerId, multiaddrs, seqNumber: BigInt(now) })
  const envelope = await RecordEnvelope.seal(record, privateKey)
  return envelope.marshal()
}

/**
 * Checks an untrusted value found under `key`: size, signature, that the
 * signer owns the key, and age. Returns what it says, or throws InvalidLocationError.
 */
export async function openLocation (key: Uint8Array, value: Uint8Array, now = Date.now()): Promise<Location> {
  const owner = locationOwner(key)
  if (value.byteLength > MAX_LOCATION_BYTES) {
    throw new InvalidLocationError('the location record is too large')
  }
  let envelope: RecordEnvelope
  let record: PeerRecord
  try {
    envelope = await RecordEnvelope.openAndCertify(value, PeerRecord.DOMAIN)
    if (!uint8ArrayEquals(envelope.payloadType, PeerRecord.CODEC)) throw new Error('not a peer record')
    record = PeerRecord.createFromProtobuf(envelope.payload)
  } catch (err) {
    throw new InvalidLocationError(`the location record is not a signed peer record: ${(err as Error).message}`)
  }
  // the signature proves who signed; the key and the record must both name that signer
  if (!peerIdFromPublicKey(envelope.publicKey).equals(owner) || !record.peerId.equals(owner)) {
    throw new InvalidLocationError('the location record was not signed by the peer it names')
  }
  if (record.multiaddrs.length === 0 || record.multiaddrs.length > MAX_LOCATION_ADDRS) {
    throw new InvalidLocationError('the location record has no addresses or too many')
  }
  const issuedAt = Number(record.seqNumber)
  if (issuedAt > now + LOCATION_CLOCK_SKEW_MS) {
    throw new InvalidLocationError('the location record is dated in the future')
  }
  if (issuedAt < now - LOCATION_TTL_MS) {
    throw new InvalidLocationError('the location record has expired')
  }
  return { peerId: owner, multiaddrs: record.multiaddrs, issuedAt }
}

/** kad-dht validator for the `peerlink` namespace: throws on anything openLocation refuses. */
export async function validateLocation (key: Uint8Array, value: Uint8Array): Promise<void> {
  await openLocation(key, value)
}

/** kad-dht selector for the `peerlink` namespace: the newest record that checks out wins. */
export async function selectLocation (key: Uint8Array, records: Uint8Array[]): Promise<number> {
  let best = 0
  let newest = -Infinity
  for (const [index, value] of records.entries()) {
    try {
      const { issuedAt } = await openLocation(key, value)
      if (issuedAt > newest) {
        newest = issuedAt
        best = index
      }
    } catch {
      // an invalid record never wins
    }
  }
  return best
}
