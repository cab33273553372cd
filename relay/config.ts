/**
 * Relay configuration from command-line flags and environment variables (a
 * flag wins over its variable), with defaults that work on localhost.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import {
  DEFAULT_HOST, DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_MAX_UPGRADING_PER_IP, INBOUND_UPGRADE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS_PER_PEER, DEFAULT_MAX_HTTP_CONNECTIONS_PER_IP, DEFAULT_MAX_RESERVATIONS,
  DEFAULT_PING_INTERVAL_MS, DEFAULT_PORT, DEFAULT_RELAY_DATA_LIMIT_BYTES, DEFAULT_RELAY_DURATION_LIMIT_MS, DEFAULT_RESERVATION_TTL_MS,
  MAX_CONNECTION_LIMIT_CAP, MAX_DURATION_SECONDS, MAX_RESERVATIONS_CAP, MIN_PING_INTERVAL_SECONDS
} from './constants.ts'
import {
  ConfigError, isInside, parseAnnounce, parseBootstrap, parseChoice, parseHost, parseIceServers, parseInteger,
  parsePath, parsePeerIds, parseSecret, parseUrls
} from './config-values.ts'
import { MAX_ICE_SERVERS } from '../src/lib/shared/relay-info.ts'
import { LOG_FORMATS } from './logger.ts'
import type { LogFormat } from './logger.ts'
import type { IceConfig } from './turn.ts'

export { ConfigError }

export interface TlsFiles {
  /** path of a PEM certificate (chain) */
  certFile: string
  /** path of its PEM private key */
  keyFile: string
}

export interface RelayConfig extends IceConfig {
  /** address the public HTTP server binds to */
  host: string
  /** public port; 0 picks any free port */
  port: number
  /** where relay.key lives */
  dataDir: string
  /** the built SvelteKit app */
  staticDir: string
  /** multiaddrs to announce instead of the ones derived from host and port */
  announce: string[]
  /** other relays to join in the DHT, each with /p2p/<peerId> */
  bootstrap: string[]
  /**
   * the only relays /relay.json may list besides the bootstrap ones (peer IDs);
   * unset, any peer that serves the DHT and connects is listed
   */
  trustedRelays?: string[]
  maxReservations: number
  reservationTtlMs: number
  /** how often each connection is pinged; one that does not answer is closed (and its reservation freed) */
  pingIntervalMs: number
  relayDurationLimitMs: number
  relayDataLimitBytes: number
  /** WebSocket connections one client address may hold; more are answered 429 */
  maxConnectionsPerIp: number
  /** WebSocket connections one client address may open within libp2p's upgrade time, closed since or not; more are answered 429 */
  maxUpgradingPerIp: number
  /** plain HTTP connections one client address may hold until upgraded; more are closed (off with trustProxy) */
  maxHttpConnectionsPerIp: number
  /** take the client address from X-Forwarded-For (only behind a reverse proxy that sets it) */
  trustProxy: boolean
  /** libp2p connections one peer ID may hold; more are refused */
  maxConnectionsPerPeer: number
  /** serve https and wss with these files */
  tls?: TlsFiles
  /** text for a terminal, json (one object per line) for a log collector */
  logFormat: LogFormat
}

export type CliResult =
  | { kind: 'help', text: string }
  | { kind: 'run', config: RelayConfig }

/** Defaults are resolved against the repository, so the relay finds build/ from any cwd. */
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))

export function defaultConfig (): RelayConfig {
  return {
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    dataDir: resolve(REPO_ROOT, '.relay-data'),
    staticDir: resolve(REPO_ROOT, 'build'),
    announce: [],
    iceServers: [],
    stunUrls: [],
    turnUrls: [],
    bootstrap: [],
    maxReservations: DEFAULT_MAX_RESERVATIONS,
    reservationTtlMs: DEFAULT_RESERVATION_TTL_MS,
    pingIntervalMs: DEFAULT_PING_INTERVAL_MS,
    relayDurationLimitMs: DEFAULT_RELAY_DURATION_LIMIT_MS,
    relayDataLimitBytes: DEFAULT_RELAY_DATA_LIMIT_BYTES,
    maxConnectionsPerIp: DEFAULT_MAX_CONNECTIONS_PER_IP,
    maxUpgradingPerIp: DEFAULT_MAX_UPGRADING_PER_IP,
    maxHttpConnectionsPerIp: DEFAULT_MAX_HTTP_CONNECTIONS_PER_IP,
    trustProxy: false,
    maxConnectionsPerPeer: DEFAULT_MAX_CONNECTIONS_PER_PEER,
    logFormat: 'text'
  }
}

/** Each option: its flag, its environment variable and its line in --help. */
const OPTIONS = {
  host: { env: 'PEERLINK_HOST', help: `address to listen on, 0.0.0.0 for all (default ${DEFAULT_HOST})` },
  port: { env: 'PEERLINK_PORT', help: `HTTP and WebSocket port, 0 for any free port (default ${DEFAULT_PORT})` },
  'data-dir': { env: 'PEERLINK_DATA_DIR', help: 'where the relay key is kept (default .relay-data in the repo)' },
  'static-dir': { env: 'PEERLINK_STATIC_DIR', help: 'the built app to serve (default build in the repo)' },
  announce: { env: 'PEERLINK_ANNOUNCE', help: 'comma-separated multiaddrs to announce (default from host and port)' },
  'ice-servers': { env: 'PEERLINK_ICE_SERVERS', help: 'JSON list of RTCIceServer objects for browsers (default [])' },
  'stun-urls': { env: 'PEERLINK_STUN_URLS', help: 'comma-separated stun: urls for browsers (default none)' },
  'turn-urls': { env: 'PEERLINK_TURN_URLS', help: 'comma-separated turn: urls of a TURN server using --turn-secret' },
  'turn-secret': { env: 'PEERLINK_TURN_SECRET', help: 'secret shared with the TURN server (coturn static-auth-secret); prefer the variable' },
  bootstrap: { env: 'PEERLINK_BOOTSTRAP', help: 'comma-separated multiaddrs of other relays, with /p2p/<id>' },
  'trusted-relays': { env: 'PEERLINK_TRUSTED_RELAYS', help: 'comma-separated peer IDs: the only relays besides --bootstrap that /relay.json lists (default: any that serves the DHT)' },
  'max-reservations': { env: 'PEERLINK_MAX_RESERVATIONS', help: `browsers reachable through this relay at once (default ${DEFAULT_MAX_RESERVATIONS})` },
  'reservation-ttl': { env: 'PEERLINK_RESERVATION_TTL', help: `seconds before a reservation must be renewed (default ${DEFAULT_RESERVATION_TTL_MS / 1000})` },
  'ping-interval': { env: 'PEERLINK_PING_INTERVAL', help: `seconds between pings of each connection; a silent one is closed (default ${DEFAULT_PING_INTERVAL_MS / 1000})` },
  'relay-duration-limit': { env: 'PEERLINK_RELAY_DURATION_LIMIT', help: `seconds one relayed connection may last (default ${DEFAULT_RELAY_DURATION_LIMIT_MS / 1000})` },
  'relay-data-limit': { env: 'PEERLINK_RELAY_DATA_LIMIT', help: `bytes one relayed connection may carry (default ${DEFAULT_RELAY_DATA_LIMIT_BYTES})` },
  'max-connections-per-ip': { env: 'PEERLINK_MAX_CONNECTIONS_PER_IP', help: `WebSocket connections one client IP (IPv6: one /64) may hold; more get 429 (default ${DEFAULT_MAX_CONNECTIONS_PER_IP})` },
  'max-upgrading-per-ip': { env: 'PEERLINK_MAX_UPGRADING_PER_IP', help: `WebSocket connections one client IP (IPv6: one /64) may open within ${INBOUND_UPGRADE_TIMEOUT_MS / 1000} s, closed since or not; more get 429 (default ${DEFAULT_MAX_UPGRADING_PER_IP})` },
  'max-http-connections-per-ip': { env: 'PEERLINK_MAX_HTTP_CONNECTIONS_PER_IP', help: `HTTP connections one client IP (IPv6: one /64) may hold until upgraded; more are closed, not with --trust-proxy (default ${DEFAULT_MAX_HTTP_CONNECTIONS_PER_IP})` },
  'trust-proxy': { env: 'PEERLINK_TRUST_PROXY', help: 'true: the client IP is the last X-Forwarded-For entry (only behind a reverse proxy; default false)' },
  'max-connections-per-peer': { env: 'PEERLINK_MAX_CONNECTIONS_PER_PEER', help: `libp2p connections one peer ID may hold (default ${DEFAULT_MAX_CONNECTIONS_PER_PEER})` },
  'tls-cert': { env: 'PEERLINK_TLS_CERT', help: 'PEM certificate file: serve https and wss' },
  'tls-key': { env: 'PEERLINK_TLS_KEY', help: 'PEM private key file for --tls-cert' },
  'log-format': { env: 'PEERLINK_LOG_FORMAT', help: `relay events on stderr as ${LOG_FORMATS.join(' or ')} lines (default text)` }
} as const

type OptionName = keyof typeof OPTIONS

export const USAGE = [
  'Usage: npm run relay -- [options]',
  '',
  'Every option can also be set by the environment variable shown; the flag wins.',
  '',
  ...Object.entries(OPTIONS).map(([name, { env, help }]) =>
    `  --${name.padEnd(28)}${env.padEnd(38)}${help}`),
  `  --${'help'.padEnd(28)}${''.padEnd(38)}print this and exit`
].join('\n')

/** Parses argv (without node and the script) and env; throws ConfigError on any invalid value. */
export function parseCli (argv: readonly string[], env: Record<string, string | undefined>, cwd = process.cwd()): CliResult {
  let values: Partial<Record<OptionName, string>> & { help?: boolean }
  try {
    const options = Object.fromEntries(Object.keys(OPTIONS).map(name => [name, { type: 'string' as const }]))
    values = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false
    }).values as typeof values
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\nRun with --help for the list of options.`)
  }
  if (values.help === true) {
    return { kind: 'help', text: USAGE }
  }

  /** The flag if given, else the environment variable unless it is empty (as compose files leave them). */
  const get = (name: OptionName): string | undefined => {
    const flag = values[name]
    if (flag != null) return flag
    const fromEnv = env[OPTIONS[name].env]
    return fromEnv != null && fromEnv !== '' ? fromEnv : undefined
  }
  const config = defaultConfig()
  const host = get('host')
  if (host != null) config.host = parseHost(host)
  const port = get('port')
  if (port != null) config.port = parseInteger('port', port, 0, 65535)
  const dataDir = get('data-dir')
  if (dataDir != null) config.dataDir = parsePath('data-dir', dataDir, cwd)
  const staticDir = get('static-dir')
  if (staticDir != null) config.staticDir = parsePath('static-dir', staticDir, cwd)
  // the relay's key lives in the data dir: inside the static dir, anyone could download it
  if (isInside(config.dataDir, config.staticDir)) {
    throw new ConfigError(`--data-dir (${config.dataDir}) must not be inside --static-dir (${config.staticDir}): the relay's private key would be served to anyone`)
  }
  const announce = get('announce')
  if (announce != null) config.announce = parseAnnounce(announce)
  const iceServers = get('ice-servers')
  if (iceServers != null) config.iceServers = parseIceServers(iceServers)
  const stunUrls = get('stun-urls')
  if (stunUrls != null) config.stunUrls = parseUrls('stun-urls', stunUrls, /^stuns?:/)
  const turnUrls = get('turn-urls')
  if (turnUrls != null) config.turnUrls = parseUrls('turn-urls', turnUrls, /^turns?:/)
  const turnSecret = get('turn-secret')
  if (turnSecret != null) config.turnSecret = parseSecret(turnSecret)
  if ((config.turnUrls.length > 0) !== (config.turnSecret != null)) {
    throw new ConfigError('--turn-urls and --turn-secret must be given together')
  }
  // browsers refuse a relay.json with more, so the relay must never build one
  if (config.iceServers.length + (config.stunUrls.length > 0 ? 1 : 0) + (config.turnUrls.length > 0 ? 1 : 0) > MAX_ICE_SERVERS) {
    throw new ConfigError(`--ice-servers, --stun-urls and --turn-urls together make more than ${MAX_ICE_SERVERS} ICE servers`)
  }
  const bootstrap = get('bootstrap')
  if (bootstrap != null) config.bootstrap = parseBootstrap(bootstrap)
  const trusted = get('trusted-relays')
  if (trusted != null) config.trustedRelays = parsePeerIds('trusted-relays', trusted)
  const maxReservations = get('max-reservations')
  if (maxReservations != null) config.maxReservations = parseInteger('max-reservations', maxReservations, 1, MAX_RESERVATIONS_CAP)
  const ttl = get('reservation-ttl')
  if (ttl != null) config.reservationTtlMs = parseInteger('reservation-ttl', ttl, 1, MAX_DURATION_SECONDS) * 1000
  const pingInterval = get('ping-interval')
  if (pingInterval != null) config.pingIntervalMs = parseInteger('ping-interval', pingInterval, MIN_PING_INTERVAL_SECONDS, MAX_DURATION_SECONDS) * 1000
  const duration = get('relay-duration-limit')
  if (duration != null) config.relayDurationLimitMs = parseInteger('relay-duration-limit', duration, 1, MAX_DURATION_SECONDS) * 1000
  const data = get('relay-data-limit')
  if (data != null) config.relayDataLimitBytes = parseInteger('relay-data-limit', data, 1, Number.MAX_SAFE_INTEGER)
  const perIp = get('max-connections-per-ip')
  if (perIp != null) config.maxConnectionsPerIp = parseInteger('max-connections-per-ip', perIp, 1, MAX_CONNECTION_LIMIT_CAP)
  const upgrading = get('max-upgrading-per-ip')
  if (upgrading != null) config.maxUpgradingPerIp = parseInteger('max-upgrading-per-ip', upgrading, 1, MAX_CONNECTION_LIMIT_CAP)
  const perIpHttp = get('max-http-connections-per-ip')
  if (perIpHttp != null) config.maxHttpConnectionsPerIp = parseInteger('max-http-connections-per-ip', perIpHttp, 1, MAX_CONNECTION_LIMIT_CAP)
  const trustProxy = get('trust-proxy')
  if (trustProxy != null) config.trustProxy = parseChoice('trust-proxy', trustProxy, ['true', 'false']) === 'true'
  const perPeer = get('max-connections-per-peer')
  if (perPeer != null) config.maxConnectionsPerPeer = parseInteger('max-connections-per-peer', perPeer, 1, MAX_CONNECTION_LIMIT_CAP)
  const certFile = get('tls-cert')
  const keyFile = get('tls-key')
  if ((certFile == null) !== (keyFile == null)) {
    throw new ConfigError('--tls-cert and --tls-key must be given together')
  }
  if (certFile != null && keyFile != null) {
    config.tls = { certFile: parsePath('tls-cert', certFile, cwd), keyFile: parsePath('tls-key', keyFile, cwd) }
    // like the relay key above: a private key under the static dir is one GET away
    if (isInside(config.tls.keyFile, config.staticDir)) {
      throw new ConfigError(`--tls-key (${config.tls.keyFile}) must not be inside --static-dir (${config.staticDir}): the TLS private key would be served to anyone`)
    }
  }
  const logFormat = get('log-format')
  if (logFormat != null) config.logFormat = parseChoice('log-format', logFormat, LOG_FORMATS)
  return { kind: 'run', config }
}
