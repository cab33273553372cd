import { MESSAGE_ID_BYTES } from './constants.ts'
import { InvalidArgumentError } from './errors.ts'

const MESSAGE_ID_PATTERN = new RegExp(`^[0-9a-f]{${MESSAGE_ID_BYTES * 2}}$`)
const HEX_PATTERN = /^(?:[0-9a-fA-F]{2})*$/

/** Lowercase hex, the form message IDs are stored and compared in. */
export function bytesToHex (bytes: Uint8Array): string {
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return hex
}

export function hexToBytes (hex: string): Uint8Array {
  if (typeof hex !== 'string' || !HEX_PATTERN.test(hex)) {
    throw new InvalidArgumentError('Invalid hex string: expected an even number of hex digits')
  }
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

/** A message ID as the store keeps it: 32 lowercase hex digits. */
export function isMessageId (value: unknown): value is string {
  return typeof value === 'string' && MESSAGE_ID_PATTERN.test(value)
}

export function newMessageId (): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(MESSAGE_ID_BYTES)))
}
