import type { MessageStatus, Store, StoredMessage } from '../store/index.ts'
import { Batcher } from './batcher.ts'

/**
 * Ack and receipt frames merged into one status write, at most: 16 frames of
 * up to 256 ids is 4,096 ids, one transaction that reads no more than a
 * conversation's window does. Bounds the work of a contact that floods small
 * acks (each a transaction of its own, holding up the writes of every
 * arriving message) without making one write too long.
 */
export const MAX_MERGED_FRAMES = 16

/** One ack or receipt frame: `stored` holds the messages of `ids` this page still has in flight. */
interface Update {
  ids: string[]
  status: MessageStatus
  stored: ReadonlyMap<string, StoredMessage>
}

/**
 * Writes the delivery states peers report for our messages, one write at a
 * time per peer: frames that arrive while one is written are merged into the
 * next. Under a burst an ack frame lands every few milliseconds, and under a
 * flood of small ones thousands would each start a transaction.
 */
export class StatusUpdates {
  readonly #store: Store
  readonly #changed: (peer: string, messages: StoredMessage[]) => void
  readonly #byPeer = new Map<string, Batcher<Update, void>>()

  /** `changed` hears the messages whose state moved, once they are written. */
  constructor (store: Store, changed: (peer: string, messages: StoredMessage[]) => void) {
    this.#store = store
    this.#changed = changed
  }

  /** Resolves once the state is written (merged with others, maybe). */
  async apply (peer: string, ids: string[], status: MessageStatus, stored: ReadonlyMap<string, StoredMessage>): Promise<void> {
    let batcher = this.#byPeer.get(peer)
    if (batcher == null) {
      batcher = new Batcher(async updates => await this.#write(peer, updates), MAX_MERGED_FRAMES)
      this.#byPeer.set(peer, batcher)
    }
    await batcher.add({ ids, status, stored })
  }

  async #write (peer: string, updates: Update[]): Promise<void[]> {
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
    return updates.map(() => undefined)
  }
}
