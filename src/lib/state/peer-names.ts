import { Batcher, KeyedBatchers } from './batcher.ts'
import type { Store } from '../store/index.ts'

/**
 * Profile frames merged into one name write, at most. Only the last name of
 * a batch is written, so the bound only keeps one batch's array small; a
 * peer's frames in hand are bounded by the inbound budget already.
 */
export const MAX_MERGED_NAMES = 256

/**
 * The names peers choose, written one at a time per peer, and only the
 * latest of those that came meanwhile. A profile frame is a few bytes, and
 * each one was a durable write of its own that holds the conversations
 * store: a peer sending names that alternate made us queue thousands of
 * them, and our own messages, which write that store too, waited behind.
 */
export class PeerNames {
  readonly #batchers: KeyedBatchers<string, undefined>

  constructor (store: Store) {
    this.#batchers = new KeyedBatchers(peer => new Batcher(async names => {
      await store.conversations.setName(peer, names[names.length - 1])
      return names.map(() => undefined)
    }, MAX_MERGED_NAMES))
  }

  /** Resolves once `name`, or one that came after it, is written. */
  async set (peer: string, name: string): Promise<void> {
    await this.#batchers.add(peer, name)
  }
}
