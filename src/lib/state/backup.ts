import { decryptIdentity, encryptIdentity, MAX_BACKUP_FILE_BYTES, BackupFormatError } from '../p2p/identity-backup.ts'
import { session } from './session.svelte.ts'

export { MIN_PASSPHRASE_LENGTH } from '../p2p/identity-backup.ts'

export interface BackupFile {
  name: string
  blob: Blob
}

/** The current identity, encrypted with the passphrase, as a file to download. */
export async function exportIdentity (passphrase: string): Promise<BackupFile> {
  const { peerId } = await session.local()
  const text = await encryptIdentity(await session.identityBytes(), peerId, passphrase)
  // the end of the peer ID tells two backups apart without making the name unwieldy
  return { name: `peerlink-identity-${peerId.slice(-8)}.json`, blob: new Blob([text], { type: 'application/json' }) }
}

/**
 * Decrypts a backup and makes it this browser's identity, then reloads so the
 * node starts with it. Throws, with a message for the user, on a wrong
 * passphrase or a file that is not a backup; then nothing is changed.
 */
export async function importIdentity (file: Blob, passphrase: string): Promise<void> {
  if (file.size > MAX_BACKUP_FILE_BYTES) throw new BackupFormatError('This file is too large to be a Peerlink identity backup.')
  const { keyBytes } = await decryptIdentity(await file.text(), passphrase)
  await session.replaceIdentity(keyBytes)
  location.reload()
}
