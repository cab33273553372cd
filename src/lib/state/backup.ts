import { decryptIdentity, encryptIdentity, MAX_BACKUP_FILE_BYTES, BackupFormatError } from '../p2p/identity-backup.ts'
import { loadP2p } from './p2p-loader.ts'
import { session } from './session.svelte.ts'

export { MIN_PASSPHRASE_LENGTH, passphraseLength } from '../p2p/identity-backup.ts'

export interface BackupFile {
  name: string
  blob: Blob
}

/**
 * The backup holds another identity than the one this browser uses, so the
 * user is asked first, told what the current one would take with it: with
 * conversations, the friends in them lose the link they know; with none (a
 * new device, where the key was made on opening the app), nothing. Messages
 * not yet delivered (the outbox) would go out, after the reload, from the
 * node that runs as the backup's identity: a frame's sender is the peer the
 * connection authenticated. Marking them unsent instead would leave the user
 * to copy each one out by hand; so the user is told how many, and what
 * becomes of them, before choosing, and can keep the current identity until
 * they are delivered: none changes sender unseen.
 */
export class DifferentIdentityError extends Error {
  static readonly NAME = 'DifferentIdentityError'
  override name = DifferentIdentityError.NAME

  constructor (readonly current: string, readonly incoming: string, readonly conversations: number, readonly queued = 0) {
    super(conversations === 0
      ? `This backup holds another identity (…${incoming.slice(-8)}) than the one this browser uses (…${current.slice(-8)}), ` +
        'which has no conversations yet: nothing stored here is lost. Use the backup\'s identity?'
      : `This backup holds another identity (…${incoming.slice(-8)}) than the one this browser uses (…${current.slice(-8)}), ` +
        `which has ${conversations === 1 ? 'a conversation' : `${conversations} conversations`}. ` +
        'Importing it replaces this browser\'s identity for good: friends who have your current link can no longer reach you through it. ' +
        'The conversations stay here, but what you write in them from now on goes out as the backup\'s identity. ' +
        queuedWarning(queued) +
        'Download a backup of the current one first if you may want it back.')
  }

  /** whether the current identity has anything to lose: the user is warned, not just asked */
  get atStake (): boolean { return this.conversations > 0 }
}

/** What happens to the messages still waiting to be delivered, said before the user chooses. */
function queuedWarning (queued: number): string {
  if (queued === 0) return ''
  return queued === 1
    ? '1 message you wrote here is not delivered yet: after the import it goes out as the backup\'s identity, to a friend who may not know it. ' +
      'To send it as your current identity, choose Keep mine and import once it is delivered. '
    : `${queued} messages you wrote here are not delivered yet: after the import they go out as the backup's identity, to friends who may not know it. ` +
      'To send them as your current identity, choose Keep mine and import once they are delivered. '
}

/**
 * What an identity replaced would leave behind: how many conversations this
 * browser holds, and how many of its messages are not delivered yet.
 */
async function atStake (): Promise<{ conversations: number, queued: number }> {
  const { store } = await session.local()
  const conversations = await store.conversations.list()
  const outboxes = await Promise.all(conversations.map(async ({ peer }) => await store.messages.outbox(peer)))
  return { conversations: conversations.length, queued: outboxes.reduce((sum, outbox) => sum + outbox.length, 0) }
}

/** The peer ID a key stands for: from the key itself, never from what a file says. */
async function peerIdOfKey (keyBytes: Uint8Array): Promise<string> {
  const { identityFromBytes, peerIdFromPrivateKey } = await loadP2p()
  return peerIdFromPrivateKey(identityFromBytes(keyBytes)).toString()
}

/**
 * The peer ID of the key a backup holds, once the key is checked whole: one
 * that is not an Ed25519 key pair (another program's file, or one made to
 * pass for someone's identity) is refused before it is compared with, or
 * replaces, this browser's identity.
 */
async function peerIdInBackup (keyBytes: Uint8Array): Promise<string> {
  const { assertKeyPair, identityFromBytes, peerIdFromPrivateKey } = await loadP2p()
  try {
    const key = identityFromBytes(keyBytes)
    await assertKeyPair(key)
    return peerIdFromPrivateKey(key).toString()
  } catch {
    throw new BackupFormatError('This backup does not hold a valid Peerlink identity. Nothing was imported.')
  }
}

/** The stored identity, encrypted with the passphrase, as a file to download. */
export async function exportIdentity (passphrase: string): Promise<BackupFile> {
  const keyBytes = await session.identityBytes()
  // the key as stored now: another tab may have imported a backup since this one started
  const peerId = await peerIdOfKey(keyBytes)
  const text = await encryptIdentity(keyBytes, peerId, passphrase)
  // the end of the peer ID tells two backups apart without making the name unwieldy
  return { name: `peerlink-identity-${peerId.slice(-8)}.json`, blob: new Blob([text], { type: 'application/json' }) }
}

/**
 * Decrypts a backup and makes it this browser's identity, then reloads so the
 * node starts with it. Throws, with a message for the user, on a wrong
 * passphrase or a file that is not a backup, and (a DifferentIdentityError)
 * on a backup of another identity than this browser's, unless `replacing`
 * names that identity (the one the user chose to replace) and no more
 * messages wait to be delivered than `queued`, the number they were told of;
 * then nothing is changed.
 */
export async function importIdentity (file: Blob, passphrase: string, { replacing, queued = 0 }: { replacing?: string, queued?: number } = {}): Promise<void> {
  if (file.size > MAX_BACKUP_FILE_BYTES) throw new BackupFormatError('This file is too large to be a Peerlink identity backup.')
  const { keyBytes } = await decryptIdentity(await file.text(), passphrase)
  const incoming = await peerIdInBackup(keyBytes)
  // read again after the user chose: another tab may have imported a backup since they were
  // asked, and what they agreed to end (and were told it would cost) was the identity shown then;
  // a damaged stored identity has nothing left to keep
  const current = await session.identityBytes().then(peerIdOfKey, () => undefined)
  if (current != null && current !== incoming) {
    // messages written since (in another tab) would change sender unseen: the user is told anew
    const stake = await atStake()
    if (current !== replacing || stake.queued > queued) throw new DifferentIdentityError(current, incoming, stake.conversations, stake.queued)
  }
  await session.replaceIdentity(keyBytes)
  location.reload()
}
