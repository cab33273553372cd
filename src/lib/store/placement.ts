/**
 * Where new messages take their place in a conversation, and what the
 * conversation's record becomes with them: pure plans, apart from the
 * transactions that carry them out (messages.ts), so the same plan holds
 * whether the write goes in one round trip or reads first (one-trip.ts).
 */
import { newConversation, withLastMessage } from './conversations.ts'
import type { Placed } from './one-trip.ts'
import { withStatus, type Conversation, type IncomingMessage, type SavedIncoming, type StoredMessage } from './types.ts'

function compareStrings (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * The display order, the same on both sides of a conversation: the sender's
 * clock, then the message id (random, and the same on both sides). Each
 * sender's clock is made strictly increasing per conversation (createOutgoing),
 * so a sender's messages always show in their sequence order.
 */
export function compareMessages (a: StoredMessage, b: StoredMessage): number {
  return a.sentAt - b.sentAt || compareStrings(a.id, b.id) || compareStrings(a.direction, b.direction)
}

/**
 * Our new messages, each strictly after our previous one: time order stays
 * seq order. Messages that went out already (`sent`, in the same order) keep
 * the time and seq the peer has, even when the conversation moved on in
 * between (another tab wrote it), so both sides still agree on the order.
 */
export function placeOutgoing (
  peer: string, stored: Conversation | undefined, texts: string[], ids: string[], now: number, sent?: readonly StoredMessage[]
): Placed<StoredMessage[]> {
  let conversation = stored ?? newConversation(peer, now)
  const added = texts.map((text, i): StoredMessage => {
    const sentAt = sent?.[i].sentAt ?? Math.max(now, (conversation.lastSentAt ?? 0) + 1)
    const seq = sent?.[i].seq ?? conversation.nextSeq
    const message: StoredMessage = { peer, direction: 'out', id: ids[i], text, sentAt, storedAt: now, seq, status: 'queued' }
    conversation = {
      ...withLastMessage(conversation, message),
      nextSeq: Math.max(conversation.nextSeq, seq + 1),
      lastSentAt: Math.max(conversation.lastSentAt ?? 0, sentAt)
    }
    return message
  })
  return { conversation, added, result: added }
}

/** What arrived, against the copies stored already (`existing`, one per message, or none). */
export function placeIncoming (
  peer: string, stored: Conversation | undefined, msgs: IncomingMessage[], existing: Array<StoredMessage | undefined>, now: number, unread: boolean
): Placed<SavedIncoming[]> {
  let conversation = stored ?? newConversation(peer, now)
  const fresh = new Map<string, StoredMessage>()
  const result = msgs.map((msg, i): SavedIncoming => {
    // a resend after a lost ack: the first copy stands, unread is not counted twice
    const known = existing[i] ?? fresh.get(msg.id)
    if (known != null) return { message: known, isNew: false }
    // arriving in front of the reader it is read already: no second write to mark it so
    const message = withStatus({ peer, direction: 'in', id: msg.id, text: msg.text, sentAt: msg.sentAt, storedAt: now, seq: msg.seq, status: 'read' }, unread ? 'delivered' : 'read')
    fresh.set(msg.id, message)
    conversation = withLastMessage(conversation, message)
    if (unread) conversation = { ...conversation, unread: conversation.unread + 1 }
    return { message, isNew: true }
  })
  return { conversation, added: [...fresh.values()], result }
}
