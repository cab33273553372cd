import { MAX_NAME_LENGTH, MAX_PEER_LENGTH, MAX_RELAY_HINT_LENGTH, MAX_TEXT_LENGTH } from './constants.ts'
import { InvalidArgumentError, MessageTooLongError } from './errors.ts'
import { isMessageId } from './ids.ts'
import { MESSAGE_STATUSES, type Direction, type MessageStatus } from './types.ts'

// Peer IDs in string form are base58btc or a multibase CID: letters and digits only.
const PEER_PATTERN = /^[A-Za-z0-9]+$/

export function assertPeer (peer: unknown): asserts peer is string {
  if (typeof peer !== 'string' || peer.length === 0 || peer.length > MAX_PEER_LENGTH || !PEER_PATTERN.test(peer)) {
    throw new InvalidArgumentError('Invalid peer ID: expected a peer ID in string form')
  }
}

export function assertMessageId (id: unknown): asserts id is string {
  if (!isMessageId(id)) {
    throw new InvalidArgumentError('Invalid message ID: expected 32 lowercase hex digits')
  }
}

export function assertText (text: unknown): asserts text is string {
  if (typeof text !== 'string') throw new InvalidArgumentError('Invalid message text: expected a string')
  if (text.length > MAX_TEXT_LENGTH) throw new MessageTooLongError(text.length, MAX_TEXT_LENGTH)
}

export function assertName (name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH) {
    throw new InvalidArgumentError(`Invalid name: expected text of at most ${MAX_NAME_LENGTH} characters`)
  }
}

export function assertRelayHint (hint: unknown): asserts hint is string {
  if (typeof hint !== 'string' || hint.length === 0 || hint.length > MAX_RELAY_HINT_LENGTH) {
    throw new InvalidArgumentError(`Invalid relay hint: expected a multiaddr of at most ${MAX_RELAY_HINT_LENGTH} characters`)
  }
}

export function assertBlocked (blocked: unknown): asserts blocked is boolean {
  if (typeof blocked !== 'boolean') throw new InvalidArgumentError('Invalid blocked flag: expected true or false')
}

/** Milliseconds since the epoch; a negative or fractional clock is a broken one. */
export function assertTime (value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`Invalid ${what}: expected milliseconds since the epoch`)
  }
}

export function assertSeq (seq: unknown): asserts seq is number {
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
    throw new InvalidArgumentError('Invalid sequence number: expected a positive integer')
  }
}

export function assertLimit (limit: unknown): asserts limit is number {
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
    throw new InvalidArgumentError('Invalid limit: expected a non-negative integer')
  }
}

export function assertDirection (direction: unknown): asserts direction is Direction {
  if (direction !== 'in' && direction !== 'out') {
    throw new InvalidArgumentError("Invalid direction: expected 'in' or 'out'")
  }
}

export function assertStatus (status: unknown): asserts status is MessageStatus {
  if (!MESSAGE_STATUSES.includes(status as MessageStatus)) {
    throw new InvalidArgumentError(`Invalid status: expected one of ${MESSAGE_STATUSES.join(', ')}`)
  }
}
