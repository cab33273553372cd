/**
 * The relay's validator for location records: a record must check out
 * (location-record.ts) and must not be older than the one this relay holds
 * for the same peer. kad-dht's PUT handler stores whatever validates,
 * replacing what was there; anyone can read a peer's record, so without this
 * anyone could put back a record the peer signed before it moved, and its
 * friends would be sent to a relay it has left until it next republishes
 * (LOCATION_REPUBLISH_MS), which the replayer could undo again at once.
 */
// kad-dht's own record type (@libp2p/record), as it stores what peers PUT
import { Record } from '@libp2p/kad-dht'
import { Key } from 'interface-datastore'
import type { Datastore } from 'interface-datastore'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { InvalidLocationError, openLocation } from '../src/lib/shared/location-record.ts'
import { DHT_RECORD_PREFIX } from './constants.ts'

/** Where kad-dht keeps the record PUT under `key` (its bufferToRecordKey). */
export function recordKey (key: Uint8Array): Key {
  return new Key(`${DHT_RECORD_PREFIX}${uint8ArrayToString(key, 'base32')}`, false)
}

/** When the record this relay holds under `key` was signed, or undefined when it holds none still valid. */
async function storedIssuedAt (datastore: Datastore, key: Uint8Array): Promise<number | undefined> {
  try {
    const stored = Record.deserialize(await datastore.get(recordKey(key)))
    return (await openLocation(key, stored.value)).issuedAt
  } catch {
    // none, or one that has expired since: any valid record may replace it
    return undefined
  }
}

/** A kad-dht validator that refuses a valid record older than the one `datastore` holds for its key. */
export function newestLocationOnly (datastore: Datastore): (key: Uint8Array, value: Uint8Array) => Promise<void> {
  return async (key, value) => {
    // throws on anything location-record.ts refuses, as validateLocation does
    const { issuedAt } = await openLocation(key, value)
    const held = await storedIssuedAt(datastore, key)
    // an equal time is the same record put again (a reader's correction)
    if (held != null && issuedAt < held) {
      throw new InvalidLocationError('a newer location record of this peer is held here')
    }
  }
}
