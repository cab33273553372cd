import { Backoff, defersOnGlare } from './backoff.ts'
import { UPGRADE_MAX_ATTEMPTS, UPGRADE_MAX_MS, UPGRADE_MIN_MS, UPGRADE_SOON_MS, UPGRADE_STABLE_MS, UPGRADE_YIELD_MS } from './constants.ts'
import { isCarrier, isDirect } from './connectivity.ts'
import type { PeerlinkNode } from './node.ts'
import type { PeerId } from '@libp2p/interface'

/** Peers with an upgrade loop running, per node, so a peer never gets two. */
const running = new WeakMap<PeerlinkNode, Set<string>>()

/** A peer's upgrades so far: the back-off carries over from a loop to the next while the path flaps. */
interface History {
  backoff: Backoff
  /** when the last upgrade made a direct connection (monotonic clock) */
  upgradedAt?: number
}
const histories = new WeakMap<PeerlinkNode, Map<string, History>>()

function historyOf (node: PeerlinkNode, key: string): History {
  let peers = histories.get(node)
  if (peers == null) histories.set(node, peers = new Map())
  let history = peers.get(key)
  if (history == null) peers.set(key, history = { backoff: new Backoff({ minMs: UPGRADE_MIN_MS, maxMs: UPGRADE_MAX_MS }) })
  return history
}

/**
 * Keeps trying to replace a relayed conversation with a direct WebRTC one,
 * with jittered back-off, for as long as the relayed connection carries the
 * chat and no direct one exists. A success needs no hand-over: the new
 * connection opens, and chat and the indicator prefer a direct one.
 * `pending` is the direct attempt already under way; the loop waits for it
 * first. `attempt` makes one more (dial.ts's dialDirect, passed in so that
 * the two modules do not import each other). `bothEnds`: the peer is climbing
 * back too (the direct connection died under both), so the two do not try at
 * the same moment.
 */
export function keepUpgrading (node: PeerlinkNode, peer: PeerId, pending: Promise<unknown>, attempt: () => Promise<unknown>, bothEnds = false): void {
  const key = peer.toString()
  let peers = running.get(node)
  if (peers == null) {
    peers = new Set()
    running.set(node, peers)
  }
  if (peers.has(key)) return
  peers.add(key)
  const soonMs = bothEnds && defersOnGlare(node.peerId.toString(), key) ? UPGRADE_SOON_MS + UPGRADE_YIELD_MS : UPGRADE_SOON_MS
  void upgradeLoop(node, peer, pending, attempt, historyOf(node, key), soonMs).finally(() => { peers.delete(key) })
}

function stillRelayed (node: PeerlinkNode, peer: PeerId): boolean {
  const conns = node.getConnections(peer)
  return node.status === 'started' && !conns.some(isDirect) && conns.some(isCarrier)
}

/**
 * Waits `ms`, or less if the node stops first: a wait of up to UPGRADE_MAX_MS
 * must not keep a stopped node (and in Node, the process) alive.
 */
async function pause (node: PeerlinkNode, ms: number): Promise<void> {
  await new Promise<void>(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      node.removeEventListener('stop', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    node.addEventListener('stop', done)
  })
}

async function upgradeLoop (node: PeerlinkNode, peer: PeerId, pending: Promise<unknown>, attempt: () => Promise<unknown>, history: History, soonMs: number): Promise<void> {
  await pending.catch(() => {})
  const { backoff } = history
  // the direct connection the last upgrade made died within UPGRADE_STABLE_MS: the path flaps
  let soon = history.upgradedAt == null || performance.now() - history.upgradedAt >= UPGRADE_STABLE_MS
  if (soon) backoff.reset()
  while (backoff.attempts < UPGRADE_MAX_ATTEMPTS && stillRelayed(node, peer)) {
    await pause(node, soon ? soonMs : backoff.next())
    soon = false
    if (!stillRelayed(node, peer)) return
    try {
      await attempt()
      history.upgradedAt = performance.now()
      return
    } catch {
      // no direct path yet; the relayed connection keeps carrying the chat
    }
  }
}
