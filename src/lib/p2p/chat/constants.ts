/** Protocol ID; bump the version for any change an older peer would reject. */
export const CHAT_PROTOCOL = '/peerlink/chat/1.0.0'

/**
 * Largest frame body on the wire. A maximal text message (16,000 UTF-16 code
 * units, at most 3 UTF-8 bytes each) plus its fields fits with room to spare,
 * and one frame never holds a peer's read buffer for long.
 */
export const MAX_FRAME_BYTES = 64 * 1024

/** Same unit as a textarea's maxlength (UTF-16 code units), so the UI can enforce it. */
export const MAX_TEXT_LENGTH = 16_000

/** Message IDs are random 128-bit values: anything else is not one of ours. */
export const MESSAGE_ID_BYTES = 16

/** Acks/read receipts are batched; 256 IDs keep one frame under 5 KiB. */
export const MAX_IDS_PER_FRAME = 256

/** Room for a name in a chat header without letting a peer flood the UI. */
export const MAX_NAME_LENGTH = 64

/** A varint for MAX_FRAME_BYTES takes 3 bytes; a longer prefix is hostile. */
export const MAX_LENGTH_PREFIX_BYTES = 3

/**
 * Incoming chunks are fed to the frame decoder at most this much at a time,
 * so its buffer (one partial frame plus one slice) stays bounded whatever
 * size of chunk the muxer hands us.
 */
export const READ_SLICE_BYTES = MAX_FRAME_BYTES

/** Most a peer can make us hold for one stream before a frame is complete. */
export const MAX_READ_BUFFER_BYTES = MAX_FRAME_BYTES + MAX_LENGTH_PREFIX_BYTES + READ_SLICE_BYTES

/**
 * Bytes that sends may queue on one outbound stream while it waits for the
 * transport to drain: a stalled peer must not make us hold unbounded memory,
 * and the outbox retries whatever is refused.
 */
export const MAX_QUEUED_BYTES = 4 * 1024 * 1024

/**
 * Frames sent together are written as one chunk of at most this size (one
 * frame alone may be larger): big enough that a burst of chat messages takes
 * a few writes, small enough that the reader decodes it in one short slice.
 */
export const MAX_WRITE_BYTES = 64 * 1024

/** One stream per direction is normal; a few more cover reconnect races. */
export const MAX_INBOUND_STREAMS = 4

/** We keep one outbound stream per connection; spare slots cover one that is still closing. */
export const MAX_OUTBOUND_STREAMS = 4

/** Opening a stream on an open connection (the protocol's answer is not waited for) takes a round trip at most; 10 s means it is dead. */
export const OPEN_STREAM_TIMEOUT_MS = 10_000

/** How long stop() lets a stream close gracefully before resetting it. */
export const CLOSE_TIMEOUT_MS = 2_000
