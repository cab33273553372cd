import type { Connection } from './db.ts'
import { FIRST_SEQ } from './constants.ts'
import { withStatus, type Conversation, type ConversationRepository, type StoredMessage } from './types.ts'
import { assertBlocked, assertName, assertPeer, assertRelayHint, assertTime } from './validate.ts'

export function newConversation (peer: string, now: number, relayHint?: string): Conversation {
  const conversation: Conversation = { peer, createdAt: now, unread: 0, nextSeq: FIRST_SEQ }
  if (relayHint != null) conversation.relayHint = relayHint
  return conversation
}

/**
 * The preview follows the message that is last in display order, so a late
 * arrival with an older timestamp does not replace a newer preview. Any new
 * message is activity, by this browser's clock: when it was stored.
 */
export function withLastMessage (conversation: Conversation, message: StoredMessage): Conversation {
  const lastActivityAt = Math.max(conversation.lastActivityAt ?? 0, message.storedAt)
  if (conversation.lastMessageAt != null && message.sentAt < conversation.lastMessageAt) {
    return lastActivityAt === conversation.lastActivityAt ? conversation : { ...conversation, lastActivityAt }
  }
  return {
    ...conversation,
    lastMessageAt: message.sentAt,
    lastMessageText: message.text,
    lastMessageDirection: message.direction,
    lastActivityAt
  }
}

/**
 * When a conversation last saw activity, for ordering the list: by our own
 * clock, not the sender's, which a peer sets as it likes (an old time would
 * bury a new conversation, a new message delayed in its sender's outbox would
 * land below quieter ones). Conversations stored before lastActivityAt was
 * kept go by their last message's time until their next message.
 */
export function activityOf (conversation: Conversation): number {
  return conversation.lastActivityAt ?? conversation.lastMessageAt ?? conversation.createdAt
}

export function compareConversations (a: Conversation, b: Conversation): number {
  return activityOf(b) - activityOf(a) || (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0)
}

/** Sets one field of a conversation, creating the conversation when it does not exist yet. */
async function setField<K extends 'name' | 'relayHint'> (connection: Connection, peer: string, field: K, value: Conversation[K]): Promise<void> {
  await connection.transact(['conversations'], 'readwrite', async tx => {
    const store = tx.objectStore('conversations')
    const existing = await store.get(peer) ?? newConversation(peer, Date.now())
    if (existing[field] === value) return
    await store.put({ ...existing, [field]: value })
  })
}

export function conversationRepository (connection: Connection): ConversationRepository {
  return {
    async get (peer) {
      assertPeer(peer)
      return await connection.transact(['conversations'], 'readonly', async tx => await tx.objectStore('conversations').get(peer))
    },

    async ensure (peer, init = {}, now = Date.now()) {
      assertPeer(peer)
      if (init.relayHint != null) assertRelayHint(init.relayHint)
      assertTime(now, 'time')
      return await connection.transact(['conversations'], 'readwrite', async tx => {
        const store = tx.objectStore('conversations')
        const existing = await store.get(peer)
        if (existing == null) {
          const created = newConversation(peer, now, init.relayHint)
          await store.add(created)
          return created
        }
        if (existing.relayHint != null || init.relayHint == null) return existing
        const updated = { ...existing, relayHint: init.relayHint }
        await store.put(updated)
        return updated
      })
    },

    async list () {
      // read whole and sorted here: the lastMessageAt index leaves out
      // conversations without messages, and there are few conversations
      const all = await connection.transact(['conversations'], 'readonly', async tx => await tx.objectStore('conversations').getAll())
      return all.sort(compareConversations)
    },

    async setName (peer, name) {
      assertPeer(peer)
      assertName(name)
      // a profile frame can arrive before the first message: keep the name anyway
      await setField(connection, peer, 'name', name)
    },

    async setRelayHint (peer, relayHint) {
      assertPeer(peer)
      assertRelayHint(relayHint)
      await setField(connection, peer, 'relayHint', relayHint)
    },

    async setBlocked (peer, blocked) {
      assertPeer(peer)
      assertBlocked(blocked)
      await connection.transact(['conversations'], 'readwrite', async tx => {
        const store = tx.objectStore('conversations')
        const existing = await store.get(peer) ?? newConversation(peer, Date.now())
        if ((existing.blocked === true) === blocked) return
        // unblocked, the field goes: a record looks as it did before it was blocked
        const { blocked: _was, ...rest } = existing
        await store.put(blocked ? { ...rest, blocked: true } : rest)
      })
    },

    async markRead (peer) {
      assertPeer(peer)
      // relaxed: lost to a power cut, messages only show unread again
      return await connection.transact(['conversations', 'messages'], 'readwrite', async tx => {
        const messages = tx.objectStore('messages')
        const unseen = await messages.index('by-unread').getAll(peer)
        const conversations = tx.objectStore('conversations')
        const conversation = await conversations.get(peer)
        await Promise.all([
          ...unseen.map(async m => await messages.put(withStatus(m, 'read'))),
          conversation != null && conversation.unread !== 0 ? conversations.put({ ...conversation, unread: 0 }) : undefined
        ])
        return unseen.map(m => m.id)
      }, { durability: 'relaxed' })
    }
  }
}
