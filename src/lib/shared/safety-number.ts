/**
 * The safety number of a conversation: a short code both people derive from
 * their two peer IDs and compare in person or over another channel. A peer ID
 * is its public key (hashed), and every connection to it proves that key, so
 * the only way to sit between two people is to hand each of them a link of
 * the attacker's own. Then each side computes the number over a different
 * pair of IDs, and the two numbers differ.
 *
 * No imports and no libp2p: the UI shows it and tests compute it alike. Only
 * WebCrypto's digest, which browsers and Node 20 both have.
 */

/**
 * Hashed before the IDs. It names what the hash is for, so no other hash over
 * these IDs can be mistaken for it, and carries a version: a later format
 * (longer, or over other input) changes the name, and every number with it,
 * rather than giving two numbers for one pair that look alike.
 */
export const SAFETY_NUMBER_CONTEXT = 'peerlink safety number v1'

/**
 * Between the context and the IDs in the hashed text. A peer ID never holds
 * one (see PEER_ID), so no two pairs of IDs hash the same text.
 */
const SEPARATOR = '\n'

/**
 * The digest: SHA-256, 256 bits, of which the number keeps about 199 (below).
 * WebCrypto has it everywhere the app runs.
 */
export const SAFETY_NUMBER_HASH = 'SHA-256'

/**
 * 60 digits, about 199 bits. Whoever sits between two people chooses the keys
 * they hand to both, so they need not match a given number but only make two
 * numbers equal: a collision search, which takes about 2^(bits / 2) tries.
 * At 60 digits that is some 2^100, out of reach; at 30 (a single person's
 * half in Signal) it would be 2^50, which is not. It is also the length
 * Signal and WhatsApp show, which people who compare them know.
 */
export const SAFETY_NUMBER_DIGITS = 60

/** Five digits a group: short enough to read out and hold in mind while looking across, as in Signal. */
export const SAFETY_NUMBER_GROUP_DIGITS = 5

/** 12 groups of 5. */
export const SAFETY_NUMBER_GROUPS = SAFETY_NUMBER_DIGITS / SAFETY_NUMBER_GROUP_DIGITS

/**
 * A peer ID's canonical text: base58btc ("12D3KooW…") or a base32 CID, both
 * letters and digits only. Anything else is not one, and would let text such
 * as a separator into the hashed input.
 */
const PEER_ID = /^[0-9A-Za-z]+$/

/** The hash, taken as a number, is reduced to the 60 digits shown. */
const MODULUS = 10n ** BigInt(SAFETY_NUMBER_DIGITS)

/**
 * Input that is not two different peer IDs. The caller passes IDs it already
 * parsed, so this is a bug to report, never a number to show.
 */
export class SafetyNumberError extends Error {
  static readonly NAME = 'SafetyNumberError'
  override readonly name = SafetyNumberError.NAME
}

/**
 * The safety number of the conversation between peers `a` and `b`, as
 * SAFETY_NUMBER_GROUPS groups of SAFETY_NUMBER_GROUP_DIGITS digits. The IDs
 * are sorted first, so both people get the same number whichever of the two
 * is their own.
 *
 * The 256-bit digest, read as a big-endian number, is taken modulo 10^60:
 * 2^256 is some 2^56 times 10^60, so every number is as likely as another to
 * within one part in 2^56.
 */
export async function safetyNumber (a: string, b: string): Promise<string[]> {
  for (const id of [a, b]) {
    if (!PEER_ID.test(id)) throw new SafetyNumberError(`Not a peer ID: ${JSON.stringify(id.slice(0, 80))}`)
  }
  if (a === b) throw new SafetyNumberError('A safety number is between two different peers; both IDs are the same.')
  const [first, second] = a < b ? [a, b] : [b, a]
  const text = [SAFETY_NUMBER_CONTEXT, first, second].join(SEPARATOR)
  const digest = new Uint8Array(await crypto.subtle.digest(SAFETY_NUMBER_HASH, new TextEncoder().encode(text)))
  let value = 0n
  for (const byte of digest) value = (value << 8n) | BigInt(byte)
  const digits = (value % MODULUS).toString().padStart(SAFETY_NUMBER_DIGITS, '0')
  const groups: string[] = []
  for (let at = 0; at < SAFETY_NUMBER_DIGITS; at += SAFETY_NUMBER_GROUP_DIGITS) {
    groups.push(digits.slice(at, at + SAFETY_NUMBER_GROUP_DIGITS))
  }
  return groups
}

/**
 * How a screen reader should read the number: digit by digit, a pause between
 * groups. Read as numbers, "01234" would lose its zero and become "one
 * thousand two hundred thirty-four", which is not what the other person sees.
 */
export function spokenSafetyNumber (groups: readonly string[]): string {
  return groups.map(group => [...group].join(' ')).join(', ')
}
