/** Only ever moves forward, in this order. */
export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'read'
export type Direction = 'in' | 'out'

export const MESSAGE_STATUSES: readonly MessageStatus[] = ['queued', 'sent', 'delivered', 'read']

/** Where a state stands in MESSAGE_STATUSES: a message only ever moves to a higher one. */
export function statusRank (status: MessageStatus): number {
  return MESSAGE_STATUSES.indexOf(status)
}

export interface StoredMessage {
  /** the conversation: the remote peer ID (string form) */
  peer: string
  direction: Direction
  /** 32 lowercase hex chars (random 128-bit message id) */
  id: string
  text: string
  /** the SENDER's clock, ms since epoch */
  sentAt: number
  /** local clock when stored here */
  storedAt: number
  /** per-conversation sequence number of the sender (1, 2, 3...) */
  seq: number
  /** incoming messages are stored as 'delivered' and become 'read' when shown */
  status: MessageStatus
  /**
   * The peer again, on an incoming message while it is unread and on no
   * other: the by-unread index is on this field, so it holds an entry only
   * for those few rather than one for every message, which each write
   * would pay for (docs/performance.md, "The outbox apart"). See withStatus.
   */
  unreadFrom?: string
}

/** `message` moved to `status`, with its unread mark in step. */
export function withStatus (message: StoredMessage, status: MessageStatus): StoredMessage {
  const { unreadFrom: _was, ...rest } = message
  return message.direction === 'in' && status === 'delivered' ? { ...rest, status, unreadFrom: message.peer } : { ...rest, status }
}

export interface Conversation {
  peer: string
  /** the peer's display name, from their profile frame */
  name?: string
  /** a relay multiaddr from the link that opened it */
  relayHint?: string
  createdAt: number
  /** sentAt of the message last in display order: the SENDER's clock, shown with the preview */
  lastMessageAt?: number
  /**
   * local clock when a message was last stored here (received or written),
   * which orders the list; absent in records from before it was kept
   */
  lastActivityAt?: number
  lastMessageText?: string
  lastMessageDirection?: Direction
  unread: number
  /** the seq our next outgoing message gets (starts at 1) */
  nextSeq: number
  /**
   * sentAt of our last message here: the next one gets a later sentAt even if
   * the clock stepped back, so our messages' time order is their seq order
   */
  lastSentAt?: number
  /**
   * true while the user blocks this peer: nothing of theirs is stored and
   * nothing of ours goes to them; absent otherwise (records from before it was kept too)
   */
  blocked?: true
}

export interface Profile {
  name: string
  /** whether we tell peers when we have read their messages; on unless turned off */
  readReceipts?: boolean
}

export interface IncomingMessage {
  id: string
  text: string
  sentAt: number
  seq: number
}

export interface IdentityRepository {
  load (): Promise<Uint8Array | undefined>
  save (key: Uint8Array): Promise<void>
  /** stores the key unless one is stored already; returns the stored one */
  saveIfAbsent (key: Uint8Array): Promise<Uint8Array>
}

export interface ProfileRepository {
  load (): Promise<Profile | undefined>
  save (p: Profile): Promise<void>
}

export interface ConversationRepository {
  get (peer: string): Promise<Conversation | undefined>
  /** creates it if missing; an existing one keeps its fields (a relay hint is only filled in when it has none) */
  ensure (peer: string, init?: { relayHint?: string }, now?: number): Promise<Conversation>
  /** most recent activity first (lastActivityAt, else lastMessageAt, else createdAt) */
  list (): Promise<Conversation[]>
  setName (peer: string, name: string): Promise<void>
  /** where the peer was last found reachable (a DHT lookup): tried first next time */
  setRelayHint (peer: string, relayHint: string): Promise<void>
  /** blocks the peer or unblocks it (the conversation is made when missing); the messages stay as they are */
  setBlocked (peer: string, blocked: boolean): Promise<void>
  /** unread = 0, incoming 'delivered' messages become 'read'; returns their ids */
  markRead (peer: string): Promise<string[]>
}

export interface SavedIncoming {
  message: StoredMessage
  isNew: boolean
}

export interface MessageRepository {
  createOutgoing (peer: string, text: string, now?: number): Promise<StoredMessage>
  /**
   * Several new messages to one peer in ONE transaction, in the order given.
   * `onWriting` gets their records just before the write's requests are
   * made, in the same task, when it goes in one round trip (not when it has
   * to read first), and says whether it sent them. Should the browser roll
   * that write back, sent messages are written again with the times and seqs
   * the peer has.
   */
  createOutgoingMany (peer: string, texts: string[], now?: number, onWriting?: (messages: StoredMessage[]) => boolean): Promise<StoredMessage[]>
  saveIncoming (peer: string, msg: IncomingMessage, options: { now?: number, unread: boolean }): Promise<SavedIncoming>
  /**
   * Several incoming messages from one peer in ONE transaction; duplicates
   * (also within the batch) come back with isNew false. `committing` gets
   * the new records once their commit is asked for, when the write goes in
   * one round trip: the write may still fail after that.
   */
  saveIncomingMany (peer: string, msgs: IncomingMessage[], options: { now?: number, unread: boolean, committing?: (added: StoredMessage[]) => void }): Promise<SavedIncoming[]>
  /** ids of the newest incoming messages marked read (in the thread's order, newest first), for re-sending read receipts */
  recentlyRead (peer: string, limit: number): Promise<string[]>
  /**
   * Moves messages forward to `status` (never back); returns those changed.
   * `stored` holds some of them as the caller knows them to be stored now,
   * being the only writer of their state: those are written without being
   * read first.
   */
  setStatus (peer: string, direction: Direction, ids: string[], status: MessageStatus, options?: { stored?: ReadonlyMap<string, StoredMessage> }): Promise<StoredMessage[]>
  /**
   * The conversation in display order; with `limit`, only the newest that
   * many; with `before`, only messages that show before that one (older
   * pages of a long thread).
   */
  list (peer: string, options?: { limit?: number, before?: Pick<StoredMessage, 'sentAt' | 'id'> }): Promise<StoredMessage[]>
  outbox (peer: string): Promise<StoredMessage[]>
}

export interface Store {
  identity: IdentityRepository
  profile: ProfileRepository
  conversations: ConversationRepository
  messages: MessageRepository
  close (): void
}
