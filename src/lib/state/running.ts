import type { Store } from '../store/index.ts'
import type { Messenger } from './messenger.ts'
import type { Locator } from '../p2p/locator.ts'
import type { PeerlinkNode } from '../p2p/node.ts'
import type { RelayKeeper } from '../p2p/relay-keeper.ts'
import type { RelayRefresh } from './relay-refresh.ts'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What works without any network: the stored data and who we are. */
export interface Local {
  store: Store
  peerId: string
}

/** What the running app is made of once it has started. */
export interface Running {
  node: PeerlinkNode
  store: Store
  messenger: Messenger
  keeper: RelayKeeper
  /** reads /relay.json again while the node runs */
  refresh: RelayRefresh
  locator: Locator
  relays: Multiaddr[]
}

/**
 * Why a tab stopped running the node for good: another tab took the node
 * over, or what this tab loaded is out of date (its storage went to a newer
 * version of the app, or another tab replaced the identity from a backup).
 */
export type Halt = 'yielded' | 'outdated'

/**
 * Stops the node and everything working on it; resolves once the node is
 * stopped, so the lock can go to another tab without two nodes of one peer
 * ID ever running at once. The store is the caller's.
 */
export async function stopRunning (running: Running): Promise<void> {
  running.refresh.stop()
  running.keeper.stop()
  running.locator.stop()
  running.messenger.stop()
  await Promise.resolve(running.node.stop()).catch(() => {})
}

/**
 * What ready() gives a tab that stopped running the node while it started:
 * the page stays as it is (it says why) and nothing waits on a node that will
 * not run here; a reload starts afresh.
 */
export async function standbyForGood (): Promise<never> {
  return await new Promise<never>(() => {})
}
