/** The IndexedDB database the app uses unless told otherwise (tests pass their own). */
export const DEFAULT_DB_NAME = 'peerlink'

/** The chat codec rejects longer texts, so nothing longer can arrive or be sent. */
export const MAX_TEXT_LENGTH = 16_000

/** Peers cut display names to this length (the chat codec's profile bound). */
export const MAX_NAME_LENGTH = 64

/**
 * Peer IDs in string form are base58btc (46-53 characters) or a base32/base36
 * CID (about 60); the bound leaves room for other key types while keeping
 * junk out of the conversation keys.
 */
export const MAX_PEER_LENGTH = 128

/** A relay multiaddr with a circuit and two peer IDs stays far below this. */
export const MAX_RELAY_HINT_LENGTH = 1024

/** Message IDs are random 128-bit values: two peers never pick the same one by chance. */
export const MESSAGE_ID_BYTES = 16

/** Every conversation numbers our outgoing messages from here. */
export const FIRST_SEQ = 1
