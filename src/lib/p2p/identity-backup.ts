/**
 * The identity backup file: the Ed25519 private key bytes, encrypted with a
 * passphrase the user chooses. Pure WebCrypto, no storage and no UI.
 *
 * Format (JSON, version 1): { format, version, peerId, kdf: { name, hash,
 * iterations, salt }, cipher: { name, iv }, data } with the binary fields in
 * base64. The peer ID is public (the share link carries it) and is bound to
 * the ciphertext as AES-GCM additional data, so it cannot be swapped.
 */

/** Names the file so another program's JSON is refused with a clear message. */
export const BACKUP_FORMAT = 'peerlink-identity'
/** Bumped when anything below changes; old versions stay readable. */
export const BACKUP_VERSION = 1
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256: makes each passphrase guess cost about half a second on a phone. */
export const PBKDF2_ITERATIONS = 600_000
/** Refuses files that were made (or tampered with) to be cheap to guess. */
export const MIN_ITERATIONS = 100_000
/** Refuses files that would hang the page deriving a key for minutes. */
export const MAX_ITERATIONS = 10_000_000
/** 128 bits of salt: no two backups share a derived key, so precomputed guesses are useless. */
export const SALT_BYTES = 16
/** 96 bits is AES-GCM's native nonce size; a fresh random one per file, and each key encrypts once. */
export const IV_BYTES = 12
/** AES-256: the key size WebCrypto supports everywhere. */
export const KEY_BITS = 256
/** Shorter passphrases fall to guessing even at 600,000 iterations. */
export const MIN_PASSPHRASE_LENGTH = 10
/** An Ed25519 key in libp2p's protobuf form is 68 bytes; anything much larger is not one. */
export const MAX_KEY_BYTES = 1024
/** A backup file is well under 1 KiB; refuse to read big files into memory. */
export const MAX_BACKUP_FILE_BYTES = 16 * 1024

export class BackupFormatError extends Error {
  override name = 'BackupFormatError'
}

export class WrongPassphraseError extends Error {
  override name = 'WrongPassphraseError'
  constructor () {
    super('The passphrase is wrong, or the backup file was changed. Nothing was imported.')
  }
}

export class WeakPassphraseError extends Error {
  override name = 'WeakPassphraseError'
  constructor () {
    super(`Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters.`)
  }
}

export interface IdentityBackup {
  format: typeof BACKUP_FORMAT
  version: typeof BACKUP_VERSION
  peerId: string
  kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: number, salt: string }
  cipher: { name: 'AES-GCM', iv: string }
  data: string
}

export interface EncryptOptions {
  /** only tests lower this, to stay fast; files always record what was used */
  iterations?: number
}

const encoder = new TextEncoder()

async function deriveKey (passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey'])
  return await crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    material,
    { name: 'AES-GCM', length: KEY_BITS },
    false,
    ['encrypt', 'decrypt']
  )
}

const graphemes = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : undefined

/**
 * A passphrase's length as the user counts it, against MIN_PASSPHRASE_LENGTH:
 * in characters as drawn (an emoji, a letter with its accent), as the key is
 * derived from it (NFC). Not in UTF-16 units, which count most emoji twice:
 * five of them passed for the ten characters asked for.
 */
export function passphraseLength (passphrase: string): number {
  const text = passphrase.normalize('NFC')
  // a browser without Intl.Segmenter (Firefox before 125) counts code points
  return graphemes != null ? Array.from(graphemes.segment(text)).length : Array.from(text).length
}

/** Encrypts the key bytes of `peerId` into a backup file's content. */
export async function encryptIdentity (keyBytes: Uint8Array, peerId: string, passphrase: string, options: EncryptOptions = {}): Promise<string> {
  if (passphraseLength(passphrase) < MIN_PASSPHRASE_LENGTH) throw new WeakPassphraseError()
  const iterations = options.iterations ?? PBKDF2_ITERATIONS
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES))
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const key = await deriveKey(passphrase, salt, iterations)
  const data = new Uint8Array(await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(peerId) }, key, keyBytes as BufferSource
  ))
  const backup: IdentityBackup = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    peerId,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64(salt) },
    cipher: { name: 'AES-GCM', iv: toBase64(iv) },
    data: toBase64(data)
  }
  return JSON.stringify(backup, null, 2)
}

/** Reads a backup file's content; throws BackupFormatError or WrongPassphraseError. */
export async function decryptIdentity (text: string, passphrase: string): Promise<{ keyBytes: Uint8Array, peerId: string }> {
  const backup = parseBackup(text)
  const key = await deriveKey(passphrase, fromBase64(backup.kdf.salt, SALT_BYTES), backup.kdf.iterations)
  let plain: ArrayBuffer
  try {
    plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64(backup.cipher.iv, IV_BYTES) as BufferSource, additionalData: encoder.encode(backup.peerId) },
      key,
      fromBase64(backup.data) as BufferSource
    )
  } catch {
    // AES-GCM cannot tell a wrong key from changed bytes, and neither can we
    throw new WrongPassphraseError()
  }
  return { keyBytes: new Uint8Array(plain), peerId: backup.peerId }
}

export function parseBackup (text: string): IdentityBackup {
  if (text.length > MAX_BACKUP_FILE_BYTES) throw new BackupFormatError('This file is too large to be a Peerlink identity backup.')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new BackupFormatError('This file is not a Peerlink identity backup.')
  }
  const b = value as Partial<IdentityBackup> | null
  if (typeof b !== 'object' || b == null || b.format !== BACKUP_FORMAT) {
    throw new BackupFormatError('This file is not a Peerlink identity backup.')
  }
  if (b.version !== BACKUP_VERSION) {
    throw new BackupFormatError(`This backup has format version ${String(b.version)}; this Peerlink reads version ${BACKUP_VERSION}.`)
  }
  const { kdf, cipher } = b
  if (kdf?.name !== 'PBKDF2' || kdf.hash !== 'SHA-256' || cipher?.name !== 'AES-GCM') {
    throw new BackupFormatError('This backup uses an encryption this Peerlink does not know.')
  }
  if (!Number.isSafeInteger(kdf.iterations) || kdf.iterations < MIN_ITERATIONS || kdf.iterations > MAX_ITERATIONS) {
    throw new BackupFormatError('This backup has an unsafe key derivation setting.')
  }
  if (typeof b.peerId !== 'string' || typeof kdf.salt !== 'string' || typeof cipher.iv !== 'string' || typeof b.data !== 'string') {
    throw new BackupFormatError('This backup is incomplete.')
  }
  // check the sizes now, so a damaged file says so instead of "wrong passphrase"
  fromBase64(kdf.salt, SALT_BYTES)
  fromBase64(cipher.iv, IV_BYTES)
  if (fromBase64(b.data).length > MAX_KEY_BYTES) throw new BackupFormatError('This backup is damaged.')
  return b as IdentityBackup
}

function toBase64 (bytes: Uint8Array): string {
  let text = ''
  for (const byte of bytes) text += String.fromCharCode(byte)
  return btoa(text)
}

function fromBase64 (text: string, expectedLength?: number): Uint8Array {
  let binary: string
  try {
    binary = atob(text)
  } catch {
    throw new BackupFormatError('This backup is damaged.')
  }
  const bytes = Uint8Array.from(binary, c => c.charCodeAt(0))
  if (expectedLength != null && bytes.length !== expectedLength) throw new BackupFormatError('This backup is damaged.')
  return bytes
}
