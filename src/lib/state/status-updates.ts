import { Batcher, KeyedBatchers } from './batcher.ts'
import type { MessageStatus, Store, StoredMessage } from '../store/index.ts'

/**
 * Ack and receipt frames merged into one status write, at most: 16 frames of
 * up to 256 ids is 4,096 ids, one transaction that reads no more than a
 * conversation's window does.
 */
export const MAX_MERGED_FRAMES = 16

/**
 * Status writes under way per peer, at most. A burst's acks come a few
 * milliseconds apart and each is written at once, its transaction queued in
 * the browser behind the one before (one at a time cost the burst about a
 * tenth in alternating runs). Past this, frames wait and are merged, so a
 * contact flooding small acks costs a few transactions, not one each, and
 * they no longer hold up the writes of arriving messages one by one.
 */
export const MAX_WRITES_IN_FLIGHT = 4

/** One ack or receipt frame: `stored` holds the messages of `ids` this page still has in flight. */
interface Update {
  ids: string[]
  status: MessageStatus
  stored: ReadonlyMap<string, StoredMessage>
}

/** Writes the delivery states peers report for our messages (see MAX_WRITES_IN_FLIGHT). */
export class StatusUpdates {
  readonly #store: Store
  readonly #changed: (peer: string, messages: StoredMessage[]) => void
  readonly #batchers = new KeyedBatchers<Update, undefined>(peer => new Batcher(async updates => {
    await this.#write(peer, updates)
    return updates.map(() => undefined)
  }, MAX_MERGED_FRAMES, MAX_WRITES_IN_FLIGHT))

  /** `changed` hears the messages whose state moved, once they are written. */
  constructor (store: Store, changed: (peer: string, messages: StoredMessage[]) => void) {
    this.#store = store
    this.#changed = changed
  }

  /** Resolves once the state is written (merged with others, maybe). */
  async apply (peer: string, ids: string[], status: MessageStatus, stored: ReadonlyMap<string, StoredMessage>): Promise<void> {
    await this.#batchers.add(peer, { ids, status, stored })
  }

  async #write (peer: string, updates: Update[]): Promise<void> {
    // the acks of messages all in flight are written without a read, apart from the others (see setStatus)
    const groups = new Map<string, { ids: string[], status: MessageStatus, stored: Map<string, StoredMessage> }>()
    for (const { ids, status, stored } of updates) {
      const key = `${status} ${ids.every(id => stored.has(id))}`
      let group = groups.get(key)
      if (group == null) groups.set(key, group = { ids: [], status, stored: new Map() })
      group.ids.push(...ids)
      for (const [id, message] of stored) group.stored.set(id, message)
    }
    for (const { ids, status, stored } of groups.values()) {
      this.#changed(peer, await this.#store.messages.setStatus(peer, 'out', ids, status, { stored }))
    }
  }
}
