/**
 * 4. Relay capacity, as its own Node process (so its clients do not share a
 * heap or an event loop with the browsers' driver): Node libp2p clients make
 * reservations on one relay process, in batches, until a count or a time
 * limit; at each step the relay process's RSS and CPU are read from /proc,
 * and a dial through the relay (the signaling path) is timed.
 *
 * Usage: tsx bench/relay-load.ts <relay multiaddr> <relay pid> <max> <time limit ms> <relay http url> [<relay inspector url>]
 * Prints one JSON line (LoadResult) on stdout.
 */
import '../relay/polyfill.ts'
import '../relay/ws-compat.ts'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import type { Libp2p } from '@libp2p/interface'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { DEFAULT_PING_INTERVAL_MS } from '../relay/constants.ts'
import { KEEPALIVE_MS, Liveness } from '../src/lib/p2p/liveness.ts'
import type { PeerlinkNode } from '../src/lib/p2p/node.ts'
import { peerIdOf } from '../src/lib/shared/addresses.ts'
import { collected, type Collected } from './inspector.ts'
import { sampleProcess, type ProcSample } from './proc.ts'

/**
 * Clients that reserve at once: well under the relay's per-host inbound limit
 * (200/s), and few enough that a loaded 2-core machine finishes their
 * handshakes before the dial timeout.
 */
const BATCH = 25
/** Take the relay's measure after every this many reservations. */
const STEP = 250
/** Signaling dials timed at each step. */
const PROBE_DIALS = 10
/** One reservation that takes longer than this has failed. */
const RESERVE_TIMEOUT_MS = 30_000
/**
 * Window for the relay's CPU while it only holds reservations: one whole
 * round of its own pings (they go to every connection at once) and three of
 * the clients', so the figure does not depend on where the window falls.
 */
const IDLE_WINDOW_MS = DEFAULT_PING_INTERVAL_MS
const POLL_MS = 25

export interface LoadStep {
  /** reservations granted so far (a client saw its circuit address) */
  reservations: number
  /**
   * still held as the step is measured: clients with their circuit address
   * and an open connection to the relay, and the relay's own count (its
   * /metrics gauge); the lower of the two is what the relay holds
   */
  live?: { clients: number, relay: number }
  relay: ProcSample
  /** ms per dial through the relay to a client holding a reservation (NaN: failed) */
  dialMs: number[]
  /** why those that failed did, each reason once: a failure the table only counted could not be looked into */
  dialErrors?: string[]
}

export interface LoadResult {
  target: number
  /** reservations still held at the end (the lower of the clients' and the relay's count), not only granted */
  reached: number
  /** reservations granted over the ramp */
  granted: number
  /** held at the end, after the idle window (see LoadStep.live) */
  live?: { clients: number, relay: number }
  /** the first round of probe dials, not counted (see main) */
  warmupDialMs?: number[]
  failed: number
  timedOut: boolean
  before: ProcSample
  steps: LoadStep[]
  /** relay CPU share (0..1 of one core) over IDLE_WINDOW_MS at the end, holding `reached` */
  idleCpu: number
  /** the relay process after IDLE_WINDOW_MS of only holding them: the ramp's garbage has had time to go */
  afterHolding?: ProcSample
  /**
   * The relay right after a forced full GC (with its inspector's address
   * given): at one reservation, once the first step was measured, and at the
   * end, after afterHolding. What it holds for its reservations, without the
   * garbage of the moment, which varied from run to run.
   */
  collected?: { first: Collected, last: Collected }
  /** IDLE_WINDOW_MS, for the report */
  idleWindowMs?: number
  /** wall ms to make all reservations */
  rampMs: number
}

/**
 * The probe's listener takes its PROBE_DIALS relayed connections back to
 * back, and libp2p lets one host (for every relayed connection that host is
 * the relay) open only 5 a second by default: past that the listener refused
 * them and half the probes timed out, measuring its limiter, not the relay.
 */
const PROBE_INBOUND_PER_SECOND = PROBE_DIALS * 2

async function client (): Promise<Libp2p> {
  return await createLibp2p({
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { inboundConnectionThreshold: PROBE_INBOUND_PER_SECOND },
    // off, as in the app's node: its pings collided with Liveness's (one
    // outbound ping stream per connection) and it aborted the connection on
    // that first failure, 87 of 2,000 in one ramp; while an abort left the
    // socket open (patches/@libp2p+websockets), the relay never noticed
    connectionMonitor: { enabled: false },
    // ping answers the relay's own pings, as the app's node does (src/lib/p2p/node.ts)
    services: { identify: identify(), ping: ping() }
  })
}

function circuit (node: Libp2p): string | undefined {
  return node.getMultiaddrs().map(String).find(a => a.includes('/p2p-circuit'))
}

/**
 * Each client pings its relay connection as the app's browsers do (its own
 * Liveness, every KEEPALIVE_MS), starting at a random point of the period as
 * browsers that came at different times: without it the relay's memory and
 * CPU per reservation left out a ping stream every 10 s from every browser.
 */
function keepAlive (node: Libp2p): void {
  const liveness = new Liveness(node as unknown as PeerlinkNode)
  setTimeout(() => { liveness.start() }, Math.random() * KEEPALIVE_MS)
}

async function reserve (relay: string): Promise<Libp2p> {
  const node = await client()
  await node.start()
  keepAlive(node)
  await node.dial(multiaddr(relay), { signal: AbortSignal.timeout(RESERVE_TIMEOUT_MS) })
  const deadline = Date.now() + RESERVE_TIMEOUT_MS
  while (circuit(node) == null) {
    if (Date.now() > deadline) { await node.stop(); throw new Error('no reservation') }
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
  return node
}

/** Dial the target through the relay and close again: the browser's signaling path, minus WebRTC. */
async function probe (dialer: Libp2p, target: Libp2p | undefined, relayPeer: string | undefined): Promise<Pick<LoadStep, 'dialMs' | 'dialErrors'>> {
  const dialMs: number[] = []
  const errors = new Set<string>()
  const listed = target != null ? circuit(target) : undefined
  if (listed == null) return { dialMs: Array.from({ length: PROBE_DIALS }, () => Number.NaN), dialErrors: ['no client holds its reservation'] }
  const addr = multiaddr(listed)
  for (let i = 0; i < PROBE_DIALS; i++) {
    const started = performance.now()
    try {
      const conn = await dialer.dial(addr, { signal: AbortSignal.timeout(RESERVE_TIMEOUT_MS) })
      dialMs.push(performance.now() - started)
      await conn.close()
    } catch (err) {
      errors.add(`${(err as Error).name}: ${(err as Error).message}`)
      dialMs.push(Number.NaN)
    }
  }
  // the dialer's own connection to the relay: a failure with none open is the dialer's, not the relay's
  if (errors.size > 0 && !dialer.getConnections().some(c => c.status === 'open' && c.remotePeer.toString() === relayPeer)) errors.add('(the dialer holds no open connection to the relay now)')
  return { dialMs, dialErrors: errors.size > 0 ? [...errors] : undefined }
}

/** The relay's own count of reservations held now, from its /metrics (NaN when it does not say). */
async function relayHolds (httpUrl: string): Promise<number> {
  try {
    const text = await (await fetch(`${httpUrl}/metrics`)).text()
    return Number(/^peerlink_relay_reservations (\d+)/m.exec(text)?.[1] ?? Number.NaN)
  } catch {
    return Number.NaN
  }
}

/**
 * Clients whose reservation is still there: circuit address listed, connection
 * to the relay (`relayPeer`, its peer ID) open. Asked of every client at every
 * step, in the process that runs them all: the relay's address is parsed once.
 */
function holdsReservation (node: Libp2p, relayPeer: string | undefined): boolean {
  return circuit(node) != null && node.getConnections().some(c => c.status === 'open' && c.remotePeer.toString() === relayPeer)
}

function liveClients (nodes: Libp2p[], relayPeer: string | undefined): number {
  return nodes.filter(n => holdsReservation(n, relayPeer)).length
}

/**
 * The client the probe dials: the first that holds its reservation now. The
 * same one while it lasts, but one that lost its reservation (its process, 2,000
 * nodes on two cores, fell behind its pings) would only time the failure.
 */
function probeTarget (nodes: Libp2p[], relayPeer: string | undefined): Libp2p | undefined {
  return nodes.find(n => holdsReservation(n, relayPeer))
}

async function main (): Promise<void> {
  const [relay, pidText, maxText, limitText, httpUrl, inspector] = process.argv.slice(2)
  const pid = Number(pidText)
  const relayPeer = peerIdOf(multiaddr(relay))
  const target = Number(maxText)
  const deadline = Date.now() + Number(limitText)
  const before = await sampleProcess(pid)
  const dialer = await client()
  await dialer.start()
  await dialer.dial(multiaddr(relay))
  const listener = await reserve(relay)
  // a round of probe dials first, not counted: the relay's and the dialer's
  // first dials run cold (code not yet optimised), and as the unloaded
  // reference they made the relay look faster loaded than idle
  const { dialMs: warmupDialMs } = await probe(dialer, listener, relayPeer)
  const clients: Libp2p[] = []
  const steps: LoadStep[] = [{ reservations: 1, relay: await sampleProcess(pid), ...await probe(dialer, listener, relayPeer) }]
  const collectedFirst = await collected(inspector, pid, 1)
  /** where the ramp stands now: reservations held by every count, the relay's process, and probe dials */
  const loadedStep = async (): Promise<LoadStep> => {
    const holders = [listener, ...clients]
    return {
      reservations: holders.length,
      live: { clients: liveClients(holders, relayPeer), relay: await relayHolds(httpUrl ?? '') },
      relay: await sampleProcess(pid),
      ...await probe(dialer, probeTarget(holders, relayPeer), relayPeer)
    }
  }
  let failed = 0
  const started = Date.now()
  while (clients.length < target - 1 && Date.now() < deadline) {
    const size = Math.min(BATCH, target - 1 - clients.length)
    const t0 = Date.now()
    const made = await Promise.allSettled(Array.from({ length: size }, async () => await reserve(relay)))
    for (const m of made) {
      if (m.status === 'fulfilled') clients.push(m.value)
      else failed++
    }
    const held = clients.length + 1
    if (process.env.BENCH_DEBUG != null) console.error(`batch ${size} in ${Date.now() - t0} ms, held ${held}, failed ${failed}`, (made.find(m => m.status === "rejected") as PromiseRejectedResult | undefined)?.reason?.message)
    if (held % STEP < BATCH || held >= target) {
      steps.push(await loadedStep())
    }
    if (failed > target / 10) break
  }
  const rampMs = Date.now() - started
  // a time limit or failures may have ended the ramp between steps: measure where it stopped
  if (steps[steps.length - 1].reservations !== clients.length + 1) {
    steps.push(await loadedStep())
  }
  const idleStart = await sampleProcess(pid)
  await new Promise(resolve => setTimeout(resolve, IDLE_WINDOW_MS))
  const idleEnd = await sampleProcess(pid)
  // held at the end, after the idle window: granted once is not held now
  const live = { clients: liveClients([listener, ...clients], relayPeer), relay: await relayHolds(httpUrl ?? '') }
  // the relay's own count is what one relay process holds (it frees a reservation as
  // its peer's last connection closes); the clients' count also drops when their
  // shared process falls behind its own bookkeeping, 2,000 nodes on the relay's two
  // cores, which a browser in its own process would not. Both are in the JSON and the table
  const reached = Number.isFinite(live.relay) ? Math.min(live.relay, clients.length + 1) : live.clients
  const collectedLast = await collected(inspector, pid, reached)
  const result: LoadResult = {
    target,
    reached,
    granted: clients.length + 1,
    live,
    warmupDialMs,
    failed,
    timedOut: Date.now() >= deadline,
    before,
    steps,
    idleCpu: (idleEnd.cpuSeconds - idleStart.cpuSeconds) / ((idleEnd.at - idleStart.at) / 1000),
    afterHolding: idleEnd,
    collected: collectedFirst != null && collectedLast != null ? { first: collectedFirst, last: collectedLast } : undefined,
    idleWindowMs: IDLE_WINDOW_MS,
    rampMs
  }
  process.stdout.write(JSON.stringify(result) + '\n')
  // the driver stops the relay next; stopping 2,000 clients one by one would only add minutes
  process.exit(0)
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message)
  process.exit(1)
})
