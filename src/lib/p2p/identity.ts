import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
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
  return privateKeyToProtobuf(await generateKeyPair('Ed25519'))
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
