import { privateKeyFromProtobuf, privateKeyFromRaw, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { webCryptoKeyPair } from './webcrypto-keys.ts'
import type { PrivateKey } from '@libp2p/interface'

export class InvalidIdentityError extends Error {
  override name = 'InvalidIdentityError'
}

/**
 * A new Ed25519 identity, as the protobuf bytes that are stored. The peer ID is
 * the hash of its public key, so the share link stays valid for as long as
 * these bytes are kept.
 */
export async function createIdentity (): Promise<Uint8Array> {
  return privateKeyToProtobuf(await webCryptoEd25519().catch(nobleEd25519))
}

/**
 * The browser makes the key natively, off the main thread; the pure-JS
 * libraries build a table of curve points first (noble's took over 100 ms of
 * a new user's first start). Signing and verifying go through WebCrypto too
 * (vite/browser/ed25519.ts).
 */
export async function webCryptoEd25519 (): Promise<PrivateKey> {
  const { privateKey: seed, publicKey } = await webCryptoKeyPair('Ed25519')
  return keyFromHalves(seed, publicKey)
}

/** A browser whose WebCrypto lacks Ed25519: the pure-JS library, fetched only then. */
export async function nobleEd25519 (): Promise<PrivateKey> {
  const { getPublicKeyAsync } = await import('@noble/ed25519')
  const seed = crypto.getRandomValues(new Uint8Array(ED25519_SEED_BYTES))
  return keyFromHalves(seed, await getPublicKeyAsync(seed))
}

const ED25519_SEED_BYTES = 32

/** libp2p's raw Ed25519 private key is the seed followed by the public key. */
function keyFromHalves (seed: Uint8Array, publicKey: Uint8Array): PrivateKey {
  const raw = new Uint8Array(seed.length + publicKey.length)
  raw.set(seed)
  raw.set(publicKey, seed.length)
  return privateKeyFromRaw(raw)
}

/** Turns stored identity bytes back into a key; a damaged record is an error, never a silent new identity. */
export function identityFromBytes (bytes: Uint8Array): PrivateKey {
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new InvalidIdentityError(`The stored identity is damaged: ${(err as Error).message}`)
  }
  if (key.type !== 'Ed25519') {
    throw new InvalidIdentityError(`The stored identity has key type ${key.type}, expected Ed25519`)
  }
  return key
}

/** What a key signs to show its two halves belong together; any bytes would do. */
const PAIR_CHECK = new TextEncoder().encode('peerlink identity key pair check')

/**
 * Throws unless the key's private half makes signatures its public half
 * verifies. The stored form carries both halves side by side and libp2p
 * checks neither against the other, while the peer ID comes from the public
 * half alone: a backup file could pair someone's public key (their peer ID,
 * which their link shows) with another secret, pass for their identity, and
 * leave them with one that can no longer sign a handshake.
 */
export async function assertKeyPair (key: PrivateKey): Promise<void> {
  let verified = false
  try {
    verified = await key.publicKey.verify(PAIR_CHECK, await key.sign(PAIR_CHECK))
  } catch {
    // a secret the browser refuses to sign with is no better
  }
  if (!verified) throw new InvalidIdentityError('The key\'s private and public halves do not belong together')
}
