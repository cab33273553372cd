import { newConversation, withLastMessage } from './conversations.ts'
import type { Connection } from './db.ts'
import { newMessageId } from './ids.ts'
import { MESSAGE_STATUSES, type MessageRepository, type MessageStatus, type StoredMessage } from './types.ts'
import {
  assertDirection, assertLimit, assertMessageId, assertPeer, assertSeq, assertStatus, assertText, assertTime
} from './validate.ts'
import { InvalidArgumentError } from './errors.ts'

/** Own messages the peer has not confirmed yet: what gets sent again on reconnect. */
const UNDELIVERED: readonly MessageStatus[] = ['queued', 'sent']

function rank (status: MessageStatus): number {
  return MESSAGE_STATUSES.indexOf(status)
}

function compareStrings (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * The display order the store returns, spelled out: the sender's clock, then
 * when it was stored here, then direction ('in' first) and id, which is how
 * IndexedDB breaks ties in the by-conversation index (by primary key).
 */
export function compareMessages (a: StoredMessage, b: StoredMessage): number {
  return a.sentAt - b.sentAt || a.storedAt - b.storedAt ||
    compareStrings(a.direction, b.direction) || compareStrings(a.id, b.id)
}

/** Every by-conversation key of one peer: [peer] sorts before them, [peer, []] after (arrays sort last). */
function conversationRange (peer: string): IDBKeyRange {
  return IDBKeyRange.bound([peer], [peer, []])
}

export function messageRepository (connection: Connection): MessageRepository {
  return {
    async createOutgoing (peer, text, now = Date.now()) {
      assertPeer(peer)
      assertText(text)
      assertTime(now, 'time')
      const id = newMessageId()
      return await connection.transact(['conversations', 'messages'], 'readwrite', async tx => {
        const conversations = tx.objectStore('conversations')
        const conversation = await conversations.get(peer) ?? newConversation(peer, now)
        const message: StoredMessage = {
          peer, direction: 'out', id, text, sentAt: now, storedAt: now, seq: conversation.nextSeq, status: 'queued'
        }
        // add, not put: a (vanishingly unlikely) id collision must fail, not overwrite
        await Promise.all([
          tx.objectStore('messages').add(message),
          conversations.put({ ...withLastMessage(conversation, message), nextSeq: conversation.nextSeq + 1 })
        ])
        return message
      })
    },

    async saveIncoming (peer, msg, options) {
      assertPeer(peer)
      if (typeof msg !== 'object' || msg === null) throw new InvalidArgumentError('Invalid message: expected { id, text, sentAt, seq }')
      assertMessageId(msg.id)
      assertText(msg.text)
      assertTime(msg.sentAt, 'send time')
      assertSeq(msg.seq)
      const now = options.now ?? Date.now()
      assertTime(now, 'time')
      return await connection.transact(['conversations', 'messages'], 'readwrite', async tx => {
        const messages = tx.objectStore('messages')
        const existing = await messages.get([peer, 'in', msg.id])
        // a resend after a lost ack: the first copy stands, unread is not counted twice
        if (existing != null) return { message: existing, isNew: false }
        const message: StoredMessage = {
          peer, direction: 'in', id: msg.id, text: msg.text, sentAt: msg.sentAt, storedAt: now, seq: msg.seq, status: 'delivered'
        }
        const conversations = tx.objectStore('conversations')
        const conversation = withLastMessage(await conversations.get(peer) ?? newConversation(peer, now), message)
        await Promise.all([
          messages.add(message),
          conversations.put(options.unread ? { ...conversation, unread: conversation.unread + 1 } : conversation)
        ])
        return { message, isNew: true }
      })
    },

    async setStatus (peer, direction, ids, status) {
      assertPeer(peer)
      assertDirection(direction)
      assertStatus(status)
      if (!Array.isArray(ids)) throw new InvalidArgumentError('Invalid message IDs: expected an array')
      ids.forEach(assertMessageId)
      const unique = [...new Set(ids)]
      return await connection.transact(['messages'], 'readwrite', async tx => {
        const store = tx.objectStore('messages')
        const found = await Promise.all(unique.map(async id => await store.get([peer, direction, id])))
        const changed = found
          .filter((m): m is StoredMessage => m != null && rank(status) > rank(m.status))
          .map(m => ({ ...m, status }))
        await Promise.all(changed.map(async m => await store.put(m)))
        return changed
      })
    },

    async list (peer, options = {}) {
      assertPeer(peer)
      const { limit } = options
      if (limit != null) assertLimit(limit)
      return await connection.transact(['messages'], 'readonly', async tx => {
        const index = tx.objectStore('messages').index('by-conversation')
        if (limit == null) return await index.getAll(conversationRange(peer))
        // walk back from the newest, then hand them out oldest first
        const newest: StoredMessage[] = []
        let cursor = limit > 0 ? await index.openCursor(conversationRange(peer), 'prev') : null
        while (cursor != null && newest.length < limit) {
          newest.push(cursor.value)
          cursor = newest.length < limit ? await cursor.continue() : null
        }
        return newest.reverse()
      })
    },

    async outbox (peer) {
      assertPeer(peer)
      const pending = await connection.transact(['messages'], 'readonly', async tx => {
        const index = tx.objectStore('messages').index('by-status')
        const byStatus = await Promise.all(UNDELIVERED.map(async status => await index.getAll([peer, 'out', status])))
        return byStatus.flat()
      })
      return pending.sort((a, b) => a.seq - b.seq)
    }
  }
}
