import type { StorageClosedError } from '../store/index.ts'
import { MARKS, mark } from '../shared/marks.ts'
import { obtainRelayInfo } from './relay-source.ts'
import { loadP2p } from './p2p-loader.ts'
import { NodeClaim, acquireTabLock, askTakeOver } from './tab-lock.ts'
import { whenStartSettled } from './start-settled.ts'
import { assemble } from './assemble.ts'
import { userIsLooking } from './attention.ts'
import { IDENTITY_REPLACED, hearIdentityReplaced, hearReturn, isStoredIdentity } from './identity-news.ts'
import { standbyForGood, stopRunning, type Halt, type Local, type Running } from './running.ts'
import { LocalData } from './local-data.svelte.ts'
import { warmUpWebRTC } from '../p2p/webrtc-warmup.ts'
import { handshakeKeys } from '../p2p/handshake-keys.ts'
import type { PeerlinkNode } from '../p2p/node.ts'
import type { RelayStatus } from '../p2p/relay-keeper.ts'
import type { PrivateKey } from '@libp2p/interface'

/** starting: booting; standby: another tab runs Peerlink; ready: running here; failed: see error */
export type Phase = 'starting' | 'standby' | 'ready' | 'failed'

/** `peer` is the conversation it happened in, or '' when it concerns none in particular */
export interface Problem { peer: string, message: string }

/**
 * The app's own node: identity, relay connection and the messenger. Starts in
 * two steps, so the app is useful offline: `local()` (the store and the
 * identity, local-data.svelte.ts) needs no network; `ready()` (the node, in
 * the one tab that holds the node lock) waits for a relay description, live
 * or from the last visit, and the RelayKeeper reconnects when the relay comes back.
 */
class Session {
  #phase = $state<Phase>('starting')
  #error = $state<string | null>(null)
  #notice = $state<string | null>(null)
  #problem = $state<Problem | null>(null)
  #relay = $state<RelayStatus>('connecting')
  #online = $state(typeof navigator === 'undefined' || navigator.onLine)
  #settled = $state(false)
  #local: Promise<Local & { privateKey: PrivateKey }> | undefined
  readonly #here = new LocalData({
    onBlocked: () => { this.#notice = 'Close other Peerlink tabs to finish updating its storage.' },
    onClosed: err => { void this.#storageLost(err) }
  })
  #running: Promise<Running> | undefined
  #current: Running | undefined
  /** this tab's place with the node lock: in line, holding it, or given up */
  readonly #claim = new NodeClaim()
  /** why this tab stopped running the node for good, if it did (a start under way checks it) */
  #halted: Halt | undefined
  /** the conversation the user is looking at, if any (nothing there is unread) */
  reading: string | null = null

  get phase (): Phase { return this.#phase }
  get error (): string | null { return this.#error }
  /** a message about the app as a whole that is not an error (another tab, storage) */
  get notice (): string | null { return this.#notice }
  /**
   * The last thing that went wrong away from the open conversation (which
   * shows its own): a message that arrived and could not be stored, the
   * outbox check after a reload. Kept until dismissed.
   */
  get problem (): Problem | null { return this.#problem }
  dismissProblem (): void { this.#problem = null }
  get peerId (): string | null { return this.#here.peerId }
  get relayStatus (): RelayStatus { return this.#relay }
  get name (): string { return this.#here.name }
  get readReceipts (): boolean { return this.#here.readReceipts }
  /** the browser has a network (navigator.onLine): false means surely offline, true only maybe online */
  get online (): boolean { return this.#online }
  get link (): string { return this.#here.link }
  /**
   * The node is running and its start's network work is over: the relay has
   * answered (a reservation, a refusal, or none to be had) and no dial has
   * been under way for a moment, or some seconds have passed (start-settled.ts).
   * Work that would compete with a first dial and its first message for the
   * network and the cores waits for this.
   */
  get settled (): boolean { return this.#settled }

  /** Opens the store and loads the identity once; needs no network and no node lock. */
  local (): Promise<Local> {
    return this.#withKey()
  }

  /** What ready() gives once the node runs here: for a caller that must not wait even a microtask (see Thread.send). */
  get running (): Running | undefined { return this.#current }

  /** Starts the node once; later calls get the same result. */
  ready (): Promise<Running> {
    this.#running ??= this.#start().catch((err: Error) => this.#fail(err))
    return this.#running
  }

  /**
   * Whether this tab runs the node: true once it holds the node lock, false
   * as soon as it waits for another tab that does. Either way the stored data
   * shows at once; only the tab that runs the node sends and receives.
   */
  runsHere (): Promise<boolean> {
    return this.#claim.placed
  }

  #withKey (): Promise<Local & { privateKey: PrivateKey }> {
    this.#local ??= this.#openLocal().catch((err: Error) => this.#fail(err))
    return this.#local
  }

  #fail (err: Error): never {
    this.#phase = 'failed'
    this.#error = err.message
    throw err
  }

  /**
   * "Use Peerlink here": take the lock from the other tab (which stops its
   * node), then start afresh in this one.
   */
  async takeOver (): Promise<void> {
    if (this.#phase !== 'standby') return
    askTakeOver()
    await acquireTabLock({ steal: true, onWaiting: () => {}, onLost: () => {} })
    location.reload()
  }

  /**
   * This page's code is older than the worker's (another tab took a new
   * version): a tab in line for the node lock leaves it, so that the tab
   * that chose the new version, reloading, gets the node back rather than
   * one on the code it replaced. A tab that runs the node keeps it until it
   * reloads, once out of sight (app-worker.svelte.ts).
   */
  leaveLine (): void {
    if (this.#claim.holds || this.#claim.givenUp || this.#phase === 'failed') return
    this.#claim.giveUp()
    this.#phase = 'standby'
    this.#notice = 'Peerlink was updated in another tab, which runs it now. Reload this page to use the new version here.'
  }

  async #openLocal (): Promise<Local & { privateKey: PrivateKey }> {
    addEventListener('online', () => { this.#online = true })
    addEventListener('offline', () => { this.#online = false })
    // before the identity is read: a backup imported in another tab from then on is heard
    hearIdentityReplaced(() => { void this.#checkIdentity() })
    // a tab frozen or cached while that was said hears nothing: it reads again on its return
    hearReturn(() => { void this.#checkIdentity() })
    return await this.#here.load()
  }

  async #start (): Promise<Running> {
    mark(MARKS.sessionStart)
    const p2p = loadP2p()
    // the relay description does not depend on the store: fetch both at once
    const relayInfo = obtainRelayInfo(() => { this.#relay = 'offline' })
    // the stored data shows while this tab waits for the lock or the relay
    const local = this.#withKey()
    // made natively while the store opens, so no handshake makes its key on the main thread
    void handshakeKeys.fill()
    // blocks the main thread for a while (tens of ms in a new tab), so only
    // once every request above is on its way: opening the store can take as long
    warmUpWebRTC()
    const { store, privateKey } = await local
    mark(MARKS.storeReady)
    await this.#claim.take(() => {
      this.#phase = 'standby'
      this.#notice = 'Peerlink is open in another tab. It continues here when you close that tab, or you can use it here instead.'
    }, () => { void this.#yield() })
    if (this.#halted != null) return await this.#stopStarting()
    this.#claim.runsHere()
    this.#notice = null
    this.#phase = 'starting'
    // while this tab waited in line, another may have imported a backup (and reloaded, which let the
    // lock come here); a tab that never waited hears of an import (#openLocal) and needs no extra read
    const [info] = await Promise.all([relayInfo, this.#claim.waited ? this.#checkIdentity() : undefined])
    const parts = await p2p
    if (this.#halted != null) return await this.#stopStarting()
    const running = await assemble(parts, info, store, privateKey, {
      isReading: peer => peer === this.reading && userIsLooking(),
      name: () => this.#here.name,
      readReceipts: () => this.#here.readReceipts,
      onProblem: problem => { if (problem.peer !== this.reading) this.#problem = problem },
      onRelayStatus: status => { this.#relay = status }
    })
    const { node, messenger, keeper, locator, refresh } = running
    await node.start()
    // another tab runs the node now, or will: two with one peer ID would fight over the reservation
    if (this.#halted != null) return await this.#stopStarting(node)
    messenger.start()
    // before the keeper, so that it hears the keeper's first 'offline'
    refresh.start()
    keeper.start()
    locator.start()
    whenStartSettled(keeper, messenger, () => { this.#settled = true })
    this.#current = running
    this.#phase = 'ready'
    mark(MARKS.sessionReady)
    return this.#current
  }

  /** Another tab took over: stop our node so only one runs, and say so. */
  async #yield (): Promise<void> {
    // storage went first: this tab says to reload, and its start stops the node it may be making
    if (this.#halted === 'outdated') return
    const running = this.#current
    this.#current = undefined
    this.#halted = 'yielded'
    this.#phase = 'standby'
    this.#notice = 'Peerlink is now running in another tab. You can use it here instead.'
    if (running == null) return
    await stopRunning(running)
    running.store.close()
  }

  /**
   * Another tab upgraded the database (or the browser closed it). A node left
   * running here would take messages it cannot store (nor ack) and acks it
   * cannot write: it stops, and the node lock goes (or this tab leaves the
   * line for it) to the new version's tab. This one can only reload, and says so.
   */
  async #storageLost (err: StorageClosedError): Promise<void> {
    await this.#halt(err.reason === 'versionchange' ? 'Peerlink was updated in another tab. Reload this page to continue.' : err.message)
  }

  /** Halts this tab when the stored identity is no longer the one it loaded: its node would run as one that was replaced. */
  async #checkIdentity (): Promise<void> {
    const local = await this.#local?.catch(() => undefined)
    if (local == null || this.#halted === 'outdated') return
    // storage that cannot be read halts this tab on its own (#storageLost)
    const same = await isStoredIdentity(local.store, local.privateKey, await loadP2p()).catch(() => true)
    if (!same) await this.#halt(IDENTITY_REPLACED)
  }

  /** What this tab loaded is out of date (#storageLost, #checkIdentity): it stops its node, leaves the lock, and says why. */
  async #halt (error: string): Promise<void> {
    const running = this.#current
    this.#current = undefined
    this.#halted = 'outdated'
    this.#phase = 'failed'
    this.#notice = null
    this.#error = error
    if (running != null) await stopRunning(running)
    // a start under way with the lock stops its node first, then lets go (#stopStarting)
    if (running != null || !this.#claim.holds) this.#claim.giveUp()
  }

  /** The start found this tab halted (see #halted): stops what it started, and lets the lock go if storage went. */
  async #stopStarting (node?: PeerlinkNode): Promise<never> {
    if (node != null) await Promise.resolve(node.stop()).catch(() => {})
    if (this.#halted === 'outdated') this.#claim.giveUp()
    return await standbyForGood()
  }

  async setName (name: string): Promise<void> {
    await this.local()
    await this.#here.setName(name)
  }

  async setReadReceipts (on: boolean): Promise<void> {
    await this.local()
    await this.#here.setReadReceipts(on)
  }

  /** Replaces this browser's identity from a backup, even a damaged one (see LocalData); the caller reloads. */
  async replaceIdentity (keyBytes: Uint8Array): Promise<void> {
    await this.#here.replaceIdentity(keyBytes)
  }

  /** The stored identity key, for a backup. */
  async identityBytes (): Promise<Uint8Array> {
    await this.local()
    return await this.#here.identityBytes()
  }
}

export const session = new Session()

// Not waiting for the first render: every page of the app runs the session
// (the layout asks for it), and this module runs as soon as the first page's
// own code has arrived, while the framework still loads and renders the page.
// The libp2p code, the store and /relay.json are on their way meanwhile, and
// a failure shows in session.error.
if (globalThis.document != null) session.ready().catch(() => {})
