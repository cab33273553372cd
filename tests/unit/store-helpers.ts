import 'fake-indexeddb/auto'
import { openStore, type Store } from '../../src/lib/store/index.ts'

/** Each test gets its own database, so no test sees another's data. */
export function freshName (): string {
  return `peerlink-test-${crypto.randomUUID()}`
}

export async function freshStore (): Promise<{ store: Store, name: string }> {
  const name = freshName()
  return { store: await openStore({ name }), name }
}

/** Realistic peer IDs (base58btc Ed25519), told apart by their last characters. */
export const ALICE = '12D3KooWAliceAliceAliceAliceAliceAliceAliceAlice1'
export const BOB = '12D3KooWBobBobBobBobBobBobBobBobBobBobBobBobBob22'
export const CAROL = '12D3KooWCarolCarolCarolCarolCarolCarolCarolCarol3'

export function hexId (n: number): string {
  return n.toString(16).padStart(32, '0')
}
