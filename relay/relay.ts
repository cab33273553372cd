/**
 * Starts a whole relay in-process: key, public HTTP(S) server, libp2p behind the
 * upgrade proxy. Used by main.ts, the tests and the benchmarks alike.
 */
import { readFile } from 'node:fs/promises'
import { createSecureContext } from 'node:tls'
import type { AddressInfo } from 'node:net'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { RelayInfo } from '../src/lib/shared/relay-info.ts'
import { deriveAnnounce, publicUrl, upgradeTargets, withPeerId } from './addresses.ts'
import { defaultConfig } from './config.ts'
import type { RelayConfig } from './config.ts'
import { createPublicServer } from './http.ts'
import type { Health } from './http.ts'
import { loadOrCreateKey } from './keys.ts'
import { LIMIT_LOG_INTERVAL_MS, STOP_GRACE_MS } from './constants.ts'
import { oncePer, toLogger } from './logger.ts'
import type { LogSink } from './logger.ts'
import { createRelayMetrics } from './metrics.ts'
import { startRelayNode } from './node.ts'
import { watchFederation } from './federation.ts'
import type { Federation } from './federation.ts'
import { iceServersFor } from './turn.ts'
import type { RelayNode } from './node.ts'
import { createUpgradeProxy } from './upgrade-proxy.ts'

export interface StartRelayOptions {
  /** the relay's own events; silent by default so tests stay quiet. A plain function still works. */
  log?: LogSink
}

export interface RunningRelay {
  /** the relay's peer ID, stable across restarts with the same data dir */
  peerId: string
  /** http(s)://host:port of the public server, with the real port */
  url: string
  /** the real public port (useful when the config said 0) */
  port: number
  /** the announced multiaddrs, each ending in /p2p/<peerId>, as /relay.json lists them */
  multiaddrs: string[]
  /** the libp2p node, for benchmarks and diagnostics */
  node: RelayNode
  /** stops libp2p and the server; safe to call more than once */
  stop: () => Promise<void>
}

export class RelayStartError extends Error {
  override name = 'RelayStartError'
}

async function readTls (config: RelayConfig): Promise<{ cert: Buffer, key: Buffer } | undefined> {
  if (config.tls == null) return undefined
  const { certFile, keyFile } = config.tls
  let tls: { cert: Buffer, key: Buffer }
  try {
    tls = { cert: await readFile(certFile), key: await readFile(keyFile) }
  } catch (err) {
    throw new RelayStartError(`cannot read the TLS certificate or key: ${(err as Error).message}`)
  }
  try {
    // checked here, where the files can be named, not as the server starts
    createSecureContext(tls)
  } catch (err) {
    throw new RelayStartError(`the TLS certificate ${certFile} and key ${keyFile} are not a PEM certificate and its private key (${(err as Error).message})`)
  }
  return tls
}

export async function startRelay (partial: Partial<RelayConfig> = {}, options: StartRelayOptions = {}): Promise<RunningRelay> {
  const config: RelayConfig = { ...defaultConfig(), ...partial }
  const log = toLogger(options.log)
  const tls = await readTls(config)
  const privateKey = await loadOrCreateKey(config.dataDir)

  let node: RelayNode | undefined
  let info: RelayInfo | undefined
  let federation: Federation | undefined
  const metrics = createRelayMetrics()
  const logLimitHit = oncePer(LIMIT_LOG_INTERVAL_MS)
  // a client refused by a per-IP limit: counted, and logged at most once per interval for that limit and IP
  const refusedByLimit = (what: string, limit: string, ip: string, max: number): void => {
    metrics.refused(limit)
    if (logLimitHit(`${limit} ${ip}`)) log.warn(`${what} refused by a limit`, { limit, ip, max, repeatsSilencedMs: LIMIT_LOG_INTERVAL_MS })
  }
  const proxy = createUpgradeProxy({
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    maxUpgradingPerIp: config.maxUpgradingPerIp,
    trustProxy: config.trustProxy,
    // derived addresses have no path; only an announced one can name another
    paths: upgradeTargets(config.announce),
    onRefused (limit, ip) { refusedByLimit('upgrade', limit, ip, limit === 'per_ip' ? config.maxConnectionsPerIp : config.maxUpgradingPerIp) }
  })
  const server = createPublicServer({
    staticDir: config.staticDir,
    tls,
    // fresh TURN credentials on every request: none outlives TURN_CREDENTIAL_TTL_MS
    relayInfo: () => info == null
      ? undefined
      : { ...info, iceServers: iceServersFor(config), relays: federation?.list() ?? [] },
    health: (): Health | undefined => node == null
      ? undefined
      : {
          ok: node.status === 'started',
          peerId: node.peerId.toString(),
          connections: node.getConnections().length,
          reservations: node.services.relay.reservations.size
        },
    proxy,
    // behind a reverse proxy every connection comes from it: see http-connection-limit.ts
    maxConnectionsPerIp: config.trustProxy ? undefined : config.maxHttpConnectionsPerIp,
    onRefused (ip) { refusedByLimit('HTTP connection', 'http_per_ip', ip, config.maxHttpConnectionsPerIp) },
    metrics: metrics.scrape,
    log
  })

  // the public port must be known before libp2p starts: with port 0 it is what we announce
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: Error) => {
      reject(new RelayStartError(`cannot listen on ${config.host}:${config.port}: ${err.message}`))
    })
    server.listen({ host: config.host, port: config.port }, resolve)
  })
  const port = (server.address() as AddressInfo).port
  const closeServer = async (): Promise<void> => {
    proxy.closeAll()
    server.closeAllConnections()
    await new Promise<void>(resolve => { server.close(() => { resolve() }) })
  }
  server.on('error', (err: Error) => { log.error('HTTP server error', { err }) })

  const peerId = peerIdFromPrivateKey(privateKey).toString()
  let multiaddrs: string[]
  try {
    const announce = config.announce.length > 0 ? config.announce : deriveAnnounce(config.host, port, tls != null)
    multiaddrs = withPeerId(announce, peerId)
    const started = await startRelayNode({
      privateKey,
      announce: multiaddrs,
      bootstrap: config.bootstrap,
      maxReservations: config.maxReservations,
      reservationTtlMs: config.reservationTtlMs,
      pingIntervalMs: config.pingIntervalMs,
      relayDurationLimitMs: config.relayDurationLimitMs,
      relayDataLimitBytes: config.relayDataLimitBytes,
      maxConnectionsPerPeer: config.maxConnectionsPerPeer,
      log,
      metrics
    })
    node = started.node
    federation = watchFederation(node, config.bootstrap, started.privateNetwork, config.trustedRelays == null ? undefined : new Set(config.trustedRelays))
    proxy.setTarget(started.upgrade)
  } catch (err) {
    await closeServer()
    throw err instanceof RelayStartError ? err : new RelayStartError(`cannot start libp2p: ${(err as Error).message}`)
  }
  info = { peerId, multiaddrs, iceServers: config.iceServers, relays: [] }
  log.info('relay started', { peerId, url: publicUrl(config.host, port, tls != null), maxReservations: config.maxReservations })
  for (const addr of multiaddrs) log.info('listening', { addr })

  let stopping: Promise<void> | undefined
  const running = node
  return {
    peerId,
    url: publicUrl(config.host, port, tls != null),
    port,
    multiaddrs,
    node: running,
    stop () {
      stopping ??= (async () => {
        // refuse new work first, then let libp2p say goodbye on the open connections
        server.close()
        federation?.stop()
        const cutOff = setTimeout(() => { proxy.closeAll() }, STOP_GRACE_MS)
        try {
          await running.stop()
        } finally {
          clearTimeout(cutOff)
          await closeServer()
        }
      })()
      return stopping
    }
  }
}
