/**
 * libp2p's in-memory datastore, with a ceiling on what strangers can make
 * the relay keep. Anyone can PUT a DHT record (a signed location record costs
 * an attacker only a fresh key) or ADD_PROVIDER, and the library keeps both
 * until they expire: without a bound, a flood of them grows the relay's
 * memory until it dies. Past the bound the oldest entries go first; honest
 * browsers re-publish theirs within LOCATION_REPUBLISH_MS anyway. The peer
 * store lives here too, and remembers every peer that ever connected.
 */
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import type { AbortOptions } from '@libp2p/interface'

export interface Bound {
  /** keys under this prefix count against `max` */
  prefix: string
  max: number
  /**
   * Entries never to drop (ours, a connected peer's): passed over, and moved
   * to the young end so the next eviction does not look at them first.
   */
  keep?: (key: string) => boolean
}

/**
 * Kept entries one put looks past, at most, for one to drop. With every
 * entry kept (all peers connected, a bound set too low), the store goes over
 * its bound rather than every put walking all of it.
 */
export const EVICTION_SCAN = 64

export class BoundedDatastore extends MemoryDatastore {
  readonly #bounds: Array<Bound & { keys: Set<string> }>

  constructor (bounds: Bound[]) {
    super()
    this.#bounds = bounds.map(b => ({ ...b, keys: new Set<string>() }))
  }

  override put (key: Key, val: Uint8Array, options?: AbortOptions): Key | Promise<Key> {
    const text = key.toString()
    const bound = this.#bounds.find(b => text.startsWith(b.prefix))
    if (bound != null) {
      // re-inserting moves a refreshed record to the young end
      bound.keys.delete(text)
      bound.keys.add(text)
      let passedOver = 0
      while (bound.keys.size > bound.max && passedOver < EVICTION_SCAN) {
        const oldest = bound.keys.values().next().value as string
        bound.keys.delete(oldest)
        // back round to the entry being put: everything else is kept
        if (oldest === text) {
          bound.keys.add(oldest)
          break
        }
        if (bound.keep?.(oldest) === true) {
          bound.keys.add(oldest)
          passedOver++
        } else {
          void super.delete(new Key(oldest))
        }
      }
    }
    return super.put(key, val, options)
  }

  override delete (key: Key, options?: AbortOptions): void | Promise<void> {
    const text = key.toString()
    for (const bound of this.#bounds) bound.keys.delete(text)
    return super.delete(key, options)
  }

  /** entries held under a prefix (for metrics and tests) */
  count (prefix: string): number {
    return this.#bounds.find(b => b.prefix === prefix)?.keys.size ?? 0
  }
}
