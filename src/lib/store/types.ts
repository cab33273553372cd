/** Only ever moves forward, in this order. */
export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'read'
export type Direction = 'in' | 'out'

export const MESSAGE_STATUSES: readonly MessageStatus[] = ['queued', 'sent', 'delivered', 'read']

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
}

export interface Conversation {
  peer: string
  /** the peer's display name, from their profile frame */
  name?: string
  /** a relay multiaddr from the link that opened it */
  relayHint?: string
  createdAt: number
  lastMessageAt?: number
  lastMessageText?: string
  lastMessageDirection?: Direction
  unread: number
  /** the seq our next outgoing message gets (starts at 1) */
  nextSeq: number
}

export interface Profile {
  name: string
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
}

export interface ProfileRepository {
  load (): Promise<Profile | undefined>
  save (p: Profile): Promise<void>
}

export interface ConversationRepository {
  get (peer: string): Promise<Conversation | undefined>
  /** creates it if missing; an existing one keeps its fields (a relay hint is only filled in when it has none) */
  ensure (peer: string, init?: { relayHint?: string }, now?: number): Promise<Conversation>
  /** most recent activity first (lastMessageAt, else createdAt) */
  list (): Promise<Conversation[]>
  setName (peer: string, name: string): Promise<void>
  /** unread = 0, incoming 'delivered' messages become 'read'; returns their ids */
  markRead (peer: string): Promise<string[]>
}

export interface MessageRepository {
  createOutgoing (peer: string, text: string, now?: number): Promise<StoredMessage>
  saveIncoming (peer: string, msg: IncomingMessage, options: { now?: number, unread: boolean }): Promise<{ message: StoredMessage, isNew: boolean }>
  setStatus (peer: string, direction: Direction, ids: string[], status: MessageStatus): Promise<StoredMessage[]>
  list (peer: string, options?: { limit?: number }): Promise<StoredMessage[]>
  outbox (peer: string): Promise<StoredMessage[]>
}

export interface Store {
  identity: IdentityRepository
  profile: ProfileRepository
  conversations: ConversationRepository
  messages: MessageRepository
  close (): void
}
