/**
 * Node stand-ins for browsers, and the small tools the relay tests share:
 * a relay in a temp dir, clients that reserve on it, and a reader for /metrics.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { RelayConfig } from '../relay/config.ts'
import { startRelay } from '../relay/relay.ts'
import type { RunningRelay, StartRelayOptions } from '../relay/relay.ts'
import { clientDHT, type ClientDHT } from '../src/lib/p2p/dht.ts'

export async function waitFor (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

export interface TestRelay {
  relay: RunningRelay
  /** stops the relay and removes its temp dir */
  cleanup: () => Promise<void>
}

/** A relay on a free loopback port with its own data and static dirs. */
export async function startTestRelay (config: Partial<RelayConfig> = {}, options: StartRelayOptions = {}): Promise<TestRelay> {
  const dir = await mkdtemp(join(tmpdir(), 'peerlink-relay-'))
  const staticDir = join(dir, 'static')
  await mkdir(staticDir, { recursive: true })
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>test</title>')
  const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), staticDir, ...config }, options)
  return {
    relay,
    async cleanup () {
      await relay.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

export interface ClientOptions {
  /** libp2p's 6 s per address is short for a machine busy with a few hundred handshakes */
  dialTimeoutMs?: number
  /** connection manager settings, e.g. the browser node's own (src/lib/p2p/connection-manager.ts) */
  connectionManager?: Record<string, number>
}

/** What a browser runs against the relay, minus WebRTC: enough to reserve, be dialed and dial. */
export async function createClient (options: ClientOptions = {}): Promise<Libp2p> {
  const timeout = options.dialTimeoutMs
  return await createLibp2p({
    connectionManager: {
      ...(timeout != null ? { dialTimeout: timeout, addressDialTimeout: timeout } : {}),
      ...options.connectionManager
    },
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
}

/** A browser stand-in that also runs the app's own DHT client (created, not started by a dial yet). */
export async function createDhtClient (privateKey?: PrivateKey): Promise<Libp2p<{ dht: ClientDHT }>> {
  return await createLibp2p({
    ...(privateKey != null ? { privateKey } : {}),
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping(), dht: clientDHT() }
  })
}

/**
 * The clients one test file makes, so that it stops every one of them (a
 * client left running keeps its connections, and the relay's slots, open
 * into the next test).
 */
export class TrackedClients {
  readonly #nodes: Libp2p[] = []

  async client (options?: ClientOptions): Promise<Libp2p> {
    return this.add(await createClient(options))
  }

  async dhtClient (privateKey?: PrivateKey): Promise<Libp2p<{ dht: ClientDHT }>> {
    return this.add(await createDhtClient(privateKey))
  }

  /** Stops every client made so far; one that fails to stop does not keep the others running. */
  async stopAll (): Promise<void> {
    await Promise.allSettled(this.#nodes.splice(0).map(async node => { await node.stop() }))
  }

  /** A node the test made its own way, stopped with the others. */
  add<T extends Libp2p<any>> (node: T): T {
    this.#nodes.push(node)
    return node
  }
}

export function circuitAddrs (node: Libp2p, relay: RunningRelay): string[] {
  return node.getMultiaddrs().map(ma => ma.toString()).filter(ma => ma.includes(`/p2p/${relay.peerId}/p2p-circuit`))
}

/** Dials the relay and waits until the reservation shows in the client's own addresses. */
export async function reserveOn (node: Libp2p, relay: RunningRelay, timeoutMs = 15_000): Promise<void> {
  await node.dial(multiaddr(relay.multiaddrs[0]))
  await waitFor(() => circuitAddrs(node, relay).length > 0, 'a reservation', timeoutMs)
}

/** `name{label="value",...}` -> value, from the Prometheus text format (comments skipped). */
export function parseMetrics (text: string): Map<string, number> {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][\w:]*(?:\{.*\})?)\s+(\S+)(?:\s+\d+)?$/.exec(line)
    if (match == null) throw new Error(`not a Prometheus sample line: ${line}`)
    samples.set(match[1], Number(match[2]))
  }
  return samples
}

export async function scrape (relay: RunningRelay): Promise<Map<string, number>> {
  const res = await fetch(`${relay.url}/metrics`)
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`)
  if (!(res.headers.get('content-type') ?? '').startsWith('text/plain')) throw new Error('/metrics is not the text format')
  return parseMetrics(await res.text())
}
