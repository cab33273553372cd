import type { Connection } from './db.ts'
import { newMessageId } from './ids.ts'
import { ConversationWrites, type PlaceOptions, type Plan } from './conversation-writes.ts'
import { placeIncoming, placeOutgoing } from './placement.ts'
import { LogFolder, loggedStates, logStatus, withLogged } from './status-log.ts'
import { listedIds, undelivered } from './outbox.ts'
import { commitNow, getEach, writeAll } from './requests.ts'
import {
  statusRank, withStatus, type MessageRepository, type MessageStatus, type StoredMessage
} from './types.ts'
import {
  assertDirection, assertLimit, assertMessageId, assertPeer, assertSeq, assertStatus, assertText, assertTime
} from './validate.ts'
import { InvalidArgumentError } from './errors.ts'

/**
 * recentlyRead walks back through at most this many messages per receipt
 * asked for: in a long conversation where we mostly write, finding the
 * receipts must not mean reading all of it on every connection.
 */
const RECENTLY_READ_SCAN = 4

/**
 * Every by-conversation key of one peer: [peer] sorts before them, [peer, []]
 * after (arrays sort last); with `before`, only the keys of messages that show before it.
 */
function conversationRange (peer: string, before?: Pick<StoredMessage, 'sentAt' | 'id'>): IDBKeyRange {
  return before == null
    ? IDBKeyRange.bound([peer], [peer, []])
    : IDBKeyRange.bound([peer], [peer, before.sentAt, before.id], false, true)
}

export function messageRepository (connection: Connection): MessageRepository {
  const writes = new ConversationWrites(connection)
  const folder = new LogFolder(connection)

  /** Reads of own messages see the log's states; entries found there are folded when it is quiet. */
  function overlay (messages: StoredMessage[], logged: ReadonlyMap<string, MessageStatus>): StoredMessage[] {
    if (logged.size === 0) return messages
    folder.soon()
    return messages.map(m => withLogged(m, logged))
  }

  /** Stores new messages with their conversation's new state, in one transaction (see ConversationWrites). */
  async function place<R> (peer: string, plan: Plan<R>, options: PlaceOptions<R>): Promise<R> {
    // a fold now would hold these writes up (both need the messages store)
    folder.busy()
    return await writes.place(peer, plan, options)
  }

  return {
    async createOutgoing (peer, text, now = Date.now()) {
      const [message] = await this.createOutgoingMany(peer, [text], now)
      return message
    },

    async createOutgoingMany (peer, texts, now = Date.now(), onWriting) {
      assertPeer(peer)
      if (!Array.isArray(texts)) throw new InvalidArgumentError('Invalid texts: expected an array')
      texts.forEach(assertText)
      assertTime(now, 'time')
      const ids = texts.map(() => newMessageId())
      let sent: StoredMessage[] | undefined
      const writing = onWriting == null ? undefined : (messages: StoredMessage[]) => { if (onWriting(messages)) sent = messages }
      // add, not put: a (vanishingly unlikely) id collision must fail, not overwrite
      return await place(peer, stored => placeOutgoing(peer, stored, texts, ids, now, sent), { lookups: [], onWriting: writing })
    },

    async saveIncoming (peer, msg, options) {
      const [saved] = await this.saveIncomingMany(peer, [msg], options)
      return saved
    },

    async saveIncomingMany (peer, msgs, options) {
      assertPeer(peer)
      if (!Array.isArray(msgs)) throw new InvalidArgumentError('Invalid messages: expected an array')
      for (const msg of msgs) {
        if (typeof msg !== 'object' || msg === null) throw new InvalidArgumentError('Invalid message: expected { id, text, sentAt, seq }')
        assertMessageId(msg.id)
        assertText(msg.text)
        assertTime(msg.sentAt, 'send time')
        assertSeq(msg.seq)
      }
      const now = options.now ?? Date.now()
      assertTime(now, 'time')
      const lookups = msgs.map((msg): [string, 'in', string] => [peer, 'in', msg.id])
      return await place(peer, (stored, existing) => placeIncoming(peer, stored, msgs, existing, now, options.unread), { lookups, committing: options.committing })
    },

    async recentlyRead (peer, limit) {
      assertPeer(peer)
      assertLimit(limit)
      return await connection.transact(['messages'], 'readonly', async tx => {
        // newest first in the thread's order, not by-unread's (which holds only unread ones anyway)
        const index = tx.objectStore('messages').index('by-conversation')
        const ids: string[] = []
        let scanned = 0
        let cursor = limit > 0 ? await index.openCursor(conversationRange(peer), 'prev') : null
        while (cursor != null && ids.length < limit && ++scanned <= limit * RECENTLY_READ_SCAN) {
          const { direction, status, id } = cursor.value
          if (direction === 'in' && status === 'read') ids.push(id)
          cursor = ids.length < limit ? await cursor.continue() : null
        }
        return ids
      })
    },

    async setStatus (peer, direction, ids, status, options = {}) {
      assertPeer(peer)
      assertDirection(direction)
      assertStatus(status)
      if (!Array.isArray(ids)) throw new InvalidArgumentError('Invalid message IDs: expected an array')
      ids.forEach(assertMessageId)
      const unique = [...new Set(ids)]
      const stored = options.stored ?? new Map<string, StoredMessage>()
      for (const [id, m] of stored) {
        if (m.peer !== peer || m.direction !== direction || m.id !== id) throw new InvalidArgumentError('Invalid stored message: not the one its id names')
      }
      // relaxed: a delivery state lost to a power cut comes back, since the
      // message is sent again and the peer drops the copy and acks it again
      const durability = 'relaxed'
      // own messages all held: their records are as their only writer left
      // them, nothing logged can be ahead of them, and only the log is
      // written, in a transaction that need not wait for the messages store
      // (under a burst, the next batch is being added there)
      if (direction === 'out' && unique.every(id => stored.has(id))) {
        const changed = unique.map(id => stored.get(id)!).filter(m => statusRank(status) > statusRank(m.status)).map(m => withStatus(m, status))
        if (changed.length === 0) return changed
        await connection.transact(['statuses'], 'readwrite', async tx => {
          logStatus(tx.objectStore('statuses'), peer, changed.map(m => m.id), status)
          commitNow(tx)
        }, { durability })
        folder.logged()
        return changed
      }
      const changed = await connection.transact(['messages', 'statuses'], 'readwrite', async tx => {
        const store = tx.objectStore('messages')
        const [logged, ...found] = await Promise.all([
          direction === 'out' ? loggedStates(tx, peer) : new Map<string, MessageStatus>(),
          ...unique.map(async id => stored.get(id) ?? await store.get([peer, direction, id]))
        ])
        const changed = found
          .filter((m): m is StoredMessage => m != null)
          .map(m => withLogged(m, logged))
          .filter(m => statusRank(status) > statusRank(m.status))
          .map(m => withStatus(m, status))
        // own messages' states go to the log, one entry for them all; an incoming one's is rare (see markRead)
        if (direction === 'out') logStatus(tx.objectStore('statuses'), peer, changed.map(m => m.id), status)
        else writeAll(store, 'put', changed)
        commitNow(tx)
        return changed
      }, { durability })
      if (direction === 'out' && changed.length > 0) folder.logged()
      return changed
    },

    async list (peer, options = {}) {
      assertPeer(peer)
      const { limit, before } = options
      if (limit != null) assertLimit(limit)
      if (before != null) {
        assertTime(before.sentAt, 'send time')
        assertMessageId(before.id)
      }
      const range = conversationRange(peer, before)
      const { messages, logged } = await connection.transact(['messages', 'statuses'], 'readonly', async tx => {
        const index = tx.objectStore('messages').index('by-conversation')
        const logging = loggedStates(tx, peer)
        if (limit == null) return { messages: await index.getAll(range), logged: await logging }
        // walk back from the newest, then hand them out oldest first
        const newest: StoredMessage[] = []
        let cursor = limit > 0 ? await index.openCursor(range, 'prev') : null
        while (cursor != null && newest.length < limit) {
          newest.push(cursor.value)
          cursor = newest.length < limit ? await cursor.continue() : null
        }
        return { messages: newest.reverse(), logged: await logging }
      })
      return overlay(messages, logged)
    },

    async outbox (peer) {
      assertPeer(peer)
      const { listed, logged } = await connection.transact(['messages', 'statuses', 'outbox'], 'readonly', async tx => {
        const messages = tx.objectStore('messages')
        const [logged, ids] = await Promise.all([loggedStates(tx, peer), listedIds(tx.objectStore('outbox'), peer)])
        const listed = await getEach<StoredMessage>(messages, ids.map(id => [peer, 'out', id]))
        return { listed: listed.filter((m): m is StoredMessage => m != null), logged }
      })
      // listed until a fold of the log saw them delivered: the log may say so already
      return overlay(listed, logged)
        .filter(m => undelivered(m.status))
        .sort((a, b) => a.seq - b.seq)
    }
  }
}
