import type { Profile, Store } from '../store/index.ts'
import type { P2p } from './p2p-loader.ts'
import type { PrivateKey } from '@libp2p/interface'

/** Who this browser is, and what it calls itself, as stored. */
export interface LocalIdentity {
  privateKey: PrivateKey
  peerId: string
  profile: Profile | undefined
}

/**
 * Loads the stored identity, or makes and keeps one on a first visit. Both
 * reads start at once, before the libp2p code (which only reading the key
 * needs) has arrived.
 */
export async function loadIdentity (store: Store, p2p: Promise<P2p>): Promise<LocalIdentity> {
  const [storedKey, profile] = await Promise.all([store.identity.load(), store.profile.load()])
  const { createIdentity, identityFromBytes, peerIdFromPrivateKey } = await p2p
  const keyBytes = storedKey ?? await store.identity.saveIfAbsent(await createIdentity())
  let privateKey: PrivateKey
  try {
    privateKey = identityFromBytes(keyBytes)
  } catch (err) {
    // the one way out keeps the conversations: say where it is
    throw new Error(`${(err as Error).message}. Import a backup of your identity on the Backup page to go on as it; your conversations stay.`)
  }
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey).toString(), profile }
}
