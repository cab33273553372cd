/** The delivery logic's contract with what it runs on (a transport, a store, the UI's state) and the events it raises. */
import type { ChatFrame } from '../p2p/chat/index.ts'
import type { Store, StoredMessage } from '../store/index.ts'

/** How the delivery logic reaches a peer: the libp2p node in the app, a simulated network in tests. */
export interface DeliveryTransport {
  /** whether a connection chat may use exists now */
  usable: (peer: string) => boolean
  /** sends one frame; throws when it cannot */
  send: (peer: string, frame: ChatFrame) => Promise<void>
}

export interface DeliveryOptions {
  store: Store
  transport: DeliveryTransport
  /** whether the user is looking at this conversation now (then nothing is unread) */
  isReading: (peer: string) => boolean
  /** our display name, sent in a profile frame on each new connection */
  name: () => string
  /** whether we tell peers when we have read their messages */
  readReceipts: () => boolean
  now?: () => number
}

export interface DeliveryEvents {
  /** messages were stored or changed state in this conversation */
  messages: CustomEvent<{ peer: string, messages: StoredMessage[] }>
  /**
   * new messages from the peer whose write is committing: shown while it
   * commits, before 'messages' says they are stored (the ack waits for that)
   */
  arriving: CustomEvent<{ peer: string, messages: StoredMessage[] }>
  /** messages announced as arriving whose write failed after all: no longer shown (their sender sends them again) */
  withdrawn: CustomEvent<{ peer: string, ids: string[] }>
  /** the conversation list changed (new conversation, name, last message, unread) */
  conversations: CustomEvent<{ peer: string }>
  /** the peer started or stopped typing */
  typing: CustomEvent<{ peer: string, active: boolean }>
  /** something went wrong that the user should know about */
  problem: CustomEvent<{ peer: string, message: string }>
}
