/**
 * Peerlink's storage: identity key, profile, conversations and messages in
 * IndexedDB. Pure storage, no network and no UI.
 *
 * @example
 * const store = await openStore({ onBlocked: () => showAlert('Close other Peerlink tabs to finish updating') })
 * const message = await store.messages.createOutgoing(peer, 'hello')
 */
import { DEFAULT_DB_NAME } from './constants.ts'
import { conversationRepository } from './conversations.ts'
import { openConnection } from './db.ts'
import type { StorageClosedError } from './errors.ts'
import { messageRepository } from './messages.ts'
import { identityRepository, profileRepository } from './meta.ts'
import type { Store } from './types.ts'

export type {
  Conversation, ConversationRepository, Direction, IdentityRepository, IncomingMessage, MessageRepository,
  MessageStatus, Profile, ProfileRepository, SavedIncoming, Store, StoredMessage
} from './types.ts'
export { MESSAGE_STATUSES, statusRank, withStatus } from './types.ts'
export {
  InvalidArgumentError, MessageTooLongError, StorageClosedError, StorageFullError, StorageOutdatedError, type ClosedReason
} from './errors.ts'
export { bytesToHex, hexToBytes, isMessageId } from './ids.ts'
export { compareMessages } from './placement.ts'
export { MAX_NAME_LENGTH, MAX_TEXT_LENGTH } from './constants.ts'

export interface OpenStoreOptions {
  /** the database name; tests give each store its own */
  name?: string
  /** another tab still has an older version open: ask the user to close it; opening keeps waiting */
  onBlocked?: () => void
  /** another tab upgraded the database (or the browser dropped it): every later call fails with this error */
  onClosed?: (err: StorageClosedError) => void
}

export async function openStore (options: OpenStoreOptions = {}): Promise<Store> {
  const connection = await openConnection(options.name ?? DEFAULT_DB_NAME, {
    onBlocked: options.onBlocked,
    onClosed: options.onClosed
  })
  return {
    identity: identityRepository(connection),
    profile: profileRepository(connection),
    conversations: conversationRepository(connection),
    messages: messageRepository(connection),
    close: () => connection.close()
  }
}
