import { Frame } from './pb/chat.ts'
import {
  MAX_FRAME_BYTES,
  MAX_IDS_PER_FRAME,
  MAX_NAME_LENGTH,
  MAX_TEXT_LENGTH,
  MESSAGE_ID_BYTES
} from './constants.ts'
import { InvalidFrameError } from './errors.ts'
import type { ChatFrame } from './index.ts'
import type { Uint8ArrayList } from 'uint8arraylist'

// C0/C1 controls, plus the bidi overrides and isolates that let a name render
// as something other than what it is
const NAME_STRIP = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu

// a lone surrogate cannot be encoded as UTF-8; encoders send U+FFFD instead
const LONE_SURROGATE = /\p{Surrogate}/gu

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * Encode a frame as protobuf, without the length prefix. Refuses any frame a
 * peer would reject, so our own app cannot send one.
 */
export function encodeFrame (frame: ChatFrame): Uint8Array {
  const valid = validateFrame(frame)
  const bytes = Frame.encode(toProto(valid))
  if (bytes.byteLength > MAX_FRAME_BYTES) {
    throw new InvalidFrameError(`Frame of ${bytes.byteLength} bytes exceeds ${MAX_FRAME_BYTES}`)
  }
  return bytes
}

/**
 * Decode and validate one frame body. Anything but exactly one known field
 * within bounds, in the canonical encoding we produce, is rejected.
 */
export function decodeFrame (bytes: Uint8Array | Uint8ArrayList): ChatFrame {
  if (bytes.byteLength > MAX_FRAME_BYTES) {
    throw new InvalidFrameError(`Frame of ${bytes.byteLength} bytes exceeds ${MAX_FRAME_BYTES}`)
  }
  let pb: Frame
  try {
    pb = Frame.decode(bytes, {
      limits: {
        ack: { ids: MAX_IDS_PER_FRAME },
        read: { ids: MAX_IDS_PER_FRAME }
      }
    })
  } catch (err) {
    throw new InvalidFrameError(`Malformed frame: ${errorMessage(err)}`, { cause: err })
  }
  // protobuf decoders skip unknown fields and accept duplicates, overlong
  // varints and explicit defaults; re-encoding shows if any of that happened
  if (Frame.encode(pb).byteLength !== bytes.byteLength) {
    throw new InvalidFrameError('Frame has unknown, repeated or non-canonical fields')
  }
  return validateFrame(fromProto(pb))
}

function fromProto (pb: Frame): ChatFrame {
  const set = [pb.text, pb.ack, pb.read, pb.profile, pb.typing].filter(f => f != null).length
  if (set !== 1) {
    throw new InvalidFrameError(`Frame must set exactly one field, it sets ${set}`)
  }
  if (pb.text != null) {
    return {
      type: 'text',
      id: pb.text.id,
      sentAt: toSafeNumber(pb.text.sentAt, 'sentAt'),
      seq: toSafeNumber(pb.text.seq, 'seq'),
      text: pb.text.body
    }
  }
  if (pb.ack != null) return { type: 'ack', ids: pb.ack.ids }
  if (pb.read != null) return { type: 'read', ids: pb.read.ids }
  if (pb.profile != null) return { type: 'profile', name: pb.profile.name }
  return { type: 'typing', active: pb.typing?.active === true }
}

function toProto (frame: ChatFrame): Frame {
  switch (frame.type) {
    case 'text':
      return {
        text: { id: frame.id.slice(), sentAt: BigInt(frame.sentAt), seq: BigInt(frame.seq), body: frame.text }
      }
    case 'ack': return { ack: { ids: frame.ids.map(id => id.slice()) } }
    case 'read': return { read: { ids: frame.ids.map(id => id.slice()) } }
    case 'profile': return { profile: { name: frame.name } }
    case 'typing': return { typing: { active: frame.active } }
  }
}

/**
 * Check every bound and return a fresh frame: IDs are copied so a frame never
 * pins the buffer it was decoded from, names are stripped of control
 * characters. Frames come from peers and from untyped app code alike, so
 * nothing is taken on trust from the static type.
 */
export function validateFrame (frame: ChatFrame): ChatFrame {
  switch (frame?.type) {
    case 'text':
      return {
        type: 'text',
        id: validateId(frame.id),
        sentAt: validateCounter(frame.sentAt, 'sentAt'),
        seq: validateSeq(frame.seq),
        text: validateText(frame.text)
      }
    case 'ack':
    case 'read':
      return { type: frame.type, ids: validateIds(frame.ids) }
    case 'profile':
      return { type: 'profile', name: normalizeName(frame.name) }
    case 'typing':
      if (typeof frame.active !== 'boolean') throw new InvalidFrameError('typing.active must be a boolean')
      return { type: 'typing', active: frame.active }
    default:
      throw new InvalidFrameError(`Unknown frame type ${String((frame as { type?: unknown } | undefined)?.type)}`)
  }
}

/**
 * A display name as we store and show it: control and bidi-override
 * characters removed, surrounding whitespace trimmed, at most
 * MAX_NAME_LENGTH characters.
 */
export function normalizeName (name: unknown): string {
  if (typeof name !== 'string') throw new InvalidFrameError('name must be a string')
  const clean = wellFormed(name).replace(NAME_STRIP, '').trim()
  if (clean.length > MAX_NAME_LENGTH) {
    throw new InvalidFrameError(`name of ${clean.length} characters exceeds ${MAX_NAME_LENGTH}`)
  }
  return clean
}

function validateText (text: unknown): string {
  if (typeof text !== 'string') throw new InvalidFrameError('text must be a string')
  if (text.length > MAX_TEXT_LENGTH) {
    throw new InvalidFrameError(`text of ${text.length} characters exceeds ${MAX_TEXT_LENGTH}`)
  }
  return wellFormed(text)
}

/** What the peer will decode, so a frame reads back exactly as it was sent. */
function wellFormed (value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD')
}

function validateId (id: unknown): Uint8Array {
  if (!(id instanceof Uint8Array) || id.byteLength !== MESSAGE_ID_BYTES) {
    throw new InvalidFrameError(`message id must be exactly ${MESSAGE_ID_BYTES} bytes`)
  }
  // a copy, and a plain Uint8Array: Node's Buffer.slice() would be a view
  // that pins the whole chunk of frames it was read from
  return new Uint8Array(id)
}

function validateIds (ids: unknown): Uint8Array[] {
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_IDS_PER_FRAME) {
    throw new InvalidFrameError(`a frame carries 1 to ${MAX_IDS_PER_FRAME} message ids`)
  }
  return ids.map(validateId)
}

function validateCounter (value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidFrameError(`${field} must be a non-negative safe integer`)
  }
  return value
}

/** Sequence numbers start at 1, as the store requires: a frame it would refuse is refused here, alone. */
function validateSeq (value: unknown): number {
  const seq = validateCounter(value, 'seq')
  if (seq < 1) throw new InvalidFrameError('seq must be 1 or more')
  return seq
}

function toSafeNumber (value: bigint, field: string): number {
  if (value > MAX_SAFE) throw new InvalidFrameError(`${field} is not a safe integer`)
  return Number(value)
}

function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
