/**
 * The relay's identity: an Ed25519 key kept in <dataDir>/relay.key, so its peer
 * ID, and every circuit address through it, survives restarts.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { KEY_FILE_NAME } from './constants.ts'

/** Owner-only: whoever reads the key can impersonate the relay. */
const KEY_FILE_MODE = 0o600
const DATA_DIR_MODE = 0o700

export class KeyFileError extends Error {
  override name = 'KeyFileError'
}

/** Loads the relay key from dataDir, or makes and saves a new one when there is none. */
export async function loadOrCreateKey (dataDir: string): Promise<PrivateKey> {
  const file = join(dataDir, KEY_FILE_NAME)
  await mkdir(dataDir, { recursive: true, mode: DATA_DIR_MODE })
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new KeyFileError(`cannot read the relay key ${file}: ${(err as Error).message}`)
    }
    const key = await generateKeyPair('Ed25519')
    await writeKeyFile(file, privateKeyToProtobuf(key))
    return key
  }
  return await parseKeyFile(file, bytes)
}

async function parseKeyFile (file: string, bytes: Uint8Array): Promise<PrivateKey> {
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    // a silent new identity would break every link through this relay, so refuse
    throw new KeyFileError(`the relay key ${file} is corrupt (${(err as Error).message}). ` +
      'Restore it from a backup, or delete it to start with a new identity (a new peer ID and new relay addresses).')
  }
  if (key.type !== 'Ed25519') {
    throw new KeyFileError(`the relay key ${file} is a ${key.type} key; Peerlink relays use Ed25519`)
  }
  const { mode } = await stat(file)
  if ((mode & 0o077) !== 0) {
    await chmod(file, KEY_FILE_MODE)
  }
  return key
}

/** Writes to a temporary name first, so a crash mid-write never leaves a half key behind. */
async function writeKeyFile (file: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(temporary, bytes, { mode: KEY_FILE_MODE, flag: 'wx' })
    await rename(temporary, file)
  } catch (err) {
    await rm(temporary, { force: true })
    throw new KeyFileError(`cannot save the relay key ${file}: ${(err as Error).message}`)
  }
}
