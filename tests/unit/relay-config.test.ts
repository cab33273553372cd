import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, USAGE, defaultConfig, parseCli } from '../../relay/config.ts'
import type { RelayConfig } from '../../relay/config.ts'
import {
  DEFAULT_MAX_RESERVATIONS, DEFAULT_RELAY_DATA_LIMIT_BYTES, DEFAULT_RELAY_DURATION_LIMIT_MS,
  DEFAULT_PING_INTERVAL_MS, DEFAULT_RESERVATION_TTL_MS, DHT_PROTOCOL, MAX_DURATION_SECONDS
} from '../../relay/constants.ts'

const REPO = resolve(import.meta.dirname, '../..')
const PEER = '12D3KooWGFUpau76stF1wG82xa9v3qxgfSWx5iQPwbUPhwwYz8M1'

function run (argv: string[], env: Record<string, string> = {}, cwd = '/srv'): RelayConfig {
  const result = parseCli(argv, env, cwd)
  if (result.kind !== 'run') throw new Error('expected a config')
  return result.config
}

function rejects (argv: string[], env: Record<string, string> = {}): string {
  try {
    parseCli(argv, env)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as Error).message
  }
  throw new Error(`accepted ${argv.join(' ')}`)
}

describe('relay config', () => {
  it('should work on localhost with no flags and no environment', () => {
    const config = run([])
    expect(config).toEqual(defaultConfig())
    expect(config.host).toBe('127.0.0.1')
    expect(config.port).toBe(9090)
    expect(config.announce).toEqual([])
    // never public STUN servers by default
    expect(config.iceServers).toEqual([])
    expect(config.bootstrap).toEqual([])
    expect(config.tls).toBeUndefined()
  })

  it('should resolve the default data and static dirs against the repo, not the cwd', () => {
    const config = run([], {}, '/somewhere/else')
    expect(config.dataDir).toBe(resolve(REPO, '.relay-data'))
    expect(config.staticDir).toBe(resolve(REPO, 'build'))
  })

  it('should default to relay limits sized for chat, not the library defaults', () => {
    const config = run([])
    expect(config.maxReservations).toBe(DEFAULT_MAX_RESERVATIONS)
    expect(DEFAULT_MAX_RESERVATIONS).toBeGreaterThanOrEqual(1024)
    expect(config.reservationTtlMs).toBe(DEFAULT_RESERVATION_TTL_MS)
    expect(config.pingIntervalMs).toBe(DEFAULT_PING_INTERVAL_MS)
    expect(config.relayDurationLimitMs).toBe(DEFAULT_RELAY_DURATION_LIMIT_MS)
    expect(DEFAULT_RELAY_DURATION_LIMIT_MS).toBeGreaterThanOrEqual(30 * 60_000)
    expect(config.relayDataLimitBytes).toBe(DEFAULT_RELAY_DATA_LIMIT_BYTES)
    expect(DEFAULT_RELAY_DATA_LIMIT_BYTES).toBeGreaterThanOrEqual(16 * 1024 * 1024)
    expect(config.maxConnectionsPerIp).toBe(64)
    expect(config.maxHttpConnectionsPerIp).toBe(64)
    expect(config.maxConnectionsPerPeer).toBe(8)
    // off by default: without a reverse proxy a client could write the header itself
    expect(config.trustProxy).toBe(false)
  })

  it('should export the DHT protocol the browser uses', () => {
    expect(DHT_PROTOCOL).toBe('/peerlink/kad/1.0.0')
  })

  it('should read every option from its flag', () => {
    const config = run([
      '--host', '0.0.0.0', '--port', '0', '--data-dir', 'data', '--static-dir', '/var/www',
      '--announce', `/dns4/chat.example.org/tcp/443/tls/ws, /ip4/203.0.113.7/tcp/9090/ws/p2p/${PEER}`,
      '--ice-servers', '[{"urls":"stun:stun.example.org:3478"},{"urls":["turn:turn.example.org"],"username":"u","credential":"c"}]',
      '--stun-urls', 'stun:turn.example.org:3478, stuns:turn.example.org:5349',
      '--turn-urls', 'turn:turn.example.org:3478?transport=udp,turn:turn.example.org:3478?transport=tcp',
      '--turn-secret', 'a-test-secret-of-enough-length',
      '--bootstrap', `/ip4/127.0.0.1/tcp/9091/ws/p2p/${PEER}`,
      '--max-reservations', '10', '--reservation-ttl', '60', '--relay-duration-limit', '120',
      '--ping-interval', '45',
      '--relay-data-limit', '1000', '--tls-cert', 'cert.pem', '--tls-key', '/etc/key.pem',
      '--log-format', 'json', '--max-connections-per-ip', '3', '--max-upgrading-per-ip', '2', '--trust-proxy', 'true',
      '--max-connections-per-peer', '2', '--max-http-connections-per-ip', '5'
    ])
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 0,
      dataDir: '/srv/data',
      staticDir: '/var/www',
      announce: ['/dns4/chat.example.org/tcp/443/tls/ws', `/ip4/203.0.113.7/tcp/9090/ws/p2p/${PEER}`],
      iceServers: [
        { urls: ['stun:stun.example.org:3478'] },
        { urls: ['turn:turn.example.org'], username: 'u', credential: 'c' }
      ],
      stunUrls: ['stun:turn.example.org:3478', 'stuns:turn.example.org:5349'],
      turnUrls: ['turn:turn.example.org:3478?transport=udp', 'turn:turn.example.org:3478?transport=tcp'],
      turnSecret: 'a-test-secret-of-enough-length',
      bootstrap: [`/ip4/127.0.0.1/tcp/9091/ws/p2p/${PEER}`],
      maxReservations: 10,
      reservationTtlMs: 60_000,
      pingIntervalMs: 45_000,
      relayDurationLimitMs: 120_000,
      relayDataLimitBytes: 1000,
      maxConnectionsPerIp: 3,
      maxUpgradingPerIp: 2,
      maxHttpConnectionsPerIp: 5,
      trustProxy: true,
      maxConnectionsPerPeer: 2,
      tls: { certFile: '/srv/cert.pem', keyFile: '/etc/key.pem' },
      logFormat: 'json'
    })
  })

  it('should read every option from the environment', () => {
    const config = run([], {
      PEERLINK_HOST: '::1',
      PEERLINK_PORT: '8000',
      PEERLINK_DATA_DIR: '/d',
      PEERLINK_STATIC_DIR: '/s',
      PEERLINK_ANNOUNCE: '/ip4/1.2.3.4/tcp/80/ws',
      PEERLINK_ICE_SERVERS: '[]',
      PEERLINK_BOOTSTRAP: `/ip4/127.0.0.1/tcp/1/ws/p2p/${PEER}`,
      PEERLINK_STUN_URLS: 'stun:203.0.113.1:3478',
      PEERLINK_TURN_URLS: 'turn:203.0.113.1:3478',
      PEERLINK_TURN_SECRET: 'sixteen-chars-or-more',
      PEERLINK_MAX_RESERVATIONS: '5',
      PEERLINK_RESERVATION_TTL: '7',
      PEERLINK_PING_INTERVAL: '13',
      PEERLINK_RELAY_DURATION_LIMIT: '8',
      PEERLINK_RELAY_DATA_LIMIT: '9',
      PEERLINK_TLS_CERT: '/c',
      PEERLINK_TLS_KEY: '/k',
      PEERLINK_LOG_FORMAT: 'JSON',
      PEERLINK_MAX_CONNECTIONS_PER_IP: '11',
      PEERLINK_TRUST_PROXY: 'false',
      PEERLINK_MAX_CONNECTIONS_PER_PEER: '12',
      PEERLINK_MAX_HTTP_CONNECTIONS_PER_IP: '14'
    })
    expect(config).toMatchObject({
      host: '::1',
      port: 8000,
      dataDir: '/d',
      staticDir: '/s',
      announce: ['/ip4/1.2.3.4/tcp/80/ws'],
      bootstrap: [`/ip4/127.0.0.1/tcp/1/ws/p2p/${PEER}`],
      stunUrls: ['stun:203.0.113.1:3478'],
      turnUrls: ['turn:203.0.113.1:3478'],
      turnSecret: 'sixteen-chars-or-more',
      maxReservations: 5,
      reservationTtlMs: 7000,
      pingIntervalMs: 13_000,
      relayDurationLimitMs: 8000,
      relayDataLimitBytes: 9,
      tls: { certFile: '/c', keyFile: '/k' },
      logFormat: 'json',
      maxConnectionsPerIp: 11,
      trustProxy: false,
      maxConnectionsPerPeer: 12,
      maxHttpConnectionsPerIp: 14
    })
  })

  it('should read the trusted relays, and leave them unset (any relay may be listed) by default', () => {
    expect(run([], {}).trustedRelays).toBeUndefined()
    expect(run(['--trusted-relays', ` ${PEER} `], {}).trustedRelays).toEqual([PEER])
    expect(run([], { PEERLINK_TRUSTED_RELAYS: PEER }).trustedRelays).toEqual([PEER])
  })

  it('should let a flag win over its environment variable', () => {
    const config = run(['--port', '1234', '--host=localhost'], { PEERLINK_PORT: '4321', PEERLINK_HOST: '10.0.0.1' })
    expect(config.port).toBe(1234)
    expect(config.host).toBe('localhost')
  })

  it('should treat an empty environment variable as unset', () => {
    expect(run([], { PEERLINK_PORT: '', PEERLINK_ANNOUNCE: '' }).port).toBe(9090)
  })

  it('should print usage for --help and -h, listing every flag', () => {
    for (const flag of ['--help', '-h']) {
      const result = parseCli([flag], {})
      expect(result.kind).toBe('help')
    }
    for (const flag of ['--host', '--port', '--data-dir', '--static-dir', '--announce', '--ice-servers',
      '--bootstrap', '--max-reservations', '--reservation-ttl', '--relay-duration-limit',
      '--ping-interval', '--relay-data-limit', '--tls-cert', '--tls-key', '--stun-urls', '--turn-urls', '--turn-secret', '--log-format',
      '--max-connections-per-ip', '--trust-proxy', '--max-connections-per-peer', '--max-http-connections-per-ip',
      '--trusted-relays',
      'PEERLINK_TURN_SECRET', 'PEERLINK_PORT']) {
      expect(USAGE).toContain(flag)
    }
  })

  it.each([
    [['--port', '65536'], /--port must be a whole number from 0 to 65535/],
    [['--port', '-1'], /--port/],
    [['--port', '80x'], /--port.*'80x'/],
    [['--port', ''], /--port/],
    [['--max-reservations', '0'], /--max-reservations must be a whole number from 1/],
    [['--reservation-ttl', '1.5'], /--reservation-ttl/],
    [['--ping-interval', '5'], /--ping-interval must be a whole number from 10/],
    [['--relay-duration-limit', String(MAX_DURATION_SECONDS + 1)], /--relay-duration-limit/],
    [['--relay-data-limit', '1e6'], /--relay-data-limit/],
    [['--host', 'not a host'], /--host must be an IP address or a hostname/],
    [['--announce', '/ip4/1.2.3.4/tcp/1'], /not a WebSocket address/],
    [['--announce', 'hello'], /--announce: 'hello' is not a multiaddr/],
    [['--bootstrap', '/ip4/1.2.3.4/tcp/1/ws'], /has no \/p2p/],
    [['--ice-servers', '{not json'], /--ice-servers must be JSON/],
    [['--ice-servers', '{"urls":"stun:a"}'], /JSON list/],
    [['--ice-servers', '[{"urls":"http://a"}]'], /--ice-servers: 'http:\/\/a' is not an ICE server url: stun:host/],
    // each of these makes Chromium's RTCPeerConnection throw, for every dial of every browser
    [['--ice-servers', '[{"urls":"turn:203.0.113.1:3478"}]'], /--ice-servers: a TURN server needs a username and a credential/],
    [['--stun-urls', 'stun:'], /--stun-urls: 'stun:' is not a url a browser takes/],
    [['--stun-urls', 'stun:chat.example.org:3478?transport=udp'], /--stun-urls: 'stun:chat.example.org:3478\?transport=udp' is not a url a browser takes/],
    [['--turn-urls', 'turn://chat.example.org:3478', '--turn-secret', 'x'.repeat(16)], /--turn-urls: 'turn:\/\/chat.example.org:3478' is not a url a browser takes/],
    [['--bootstrap', '/ip4/127.0.0.1/tcp/1/ws/p2p/abc'], /--bootstrap: .* ends in \/p2p\/abc, which is not a peer ID/],
    [['--trusted-relays', `${PEER},abc`], /--trusted-relays: 'abc' is not a peer ID/],
    [['--trusted-relays', ' , '], /--trusted-relays: expected one or more peer IDs/],
    // browsers refuse a relay.json with more than 32
    [['--announce', Array.from({ length: 33 }, (_, i) => `/dns4/r${i}.example.org/tcp/443/tls/ws`).join(',')], /--announce: at most 32 addresses/],
    // the key file would be one GET away
    [['--static-dir', '/srv/peerlink', '--data-dir', '/srv/peerlink/data'], /--data-dir \(\/srv\/peerlink\/data\) must not be inside --static-dir/],
    [['--static-dir', '/srv/peerlink', '--data-dir', '/srv/peerlink'], /must not be inside --static-dir/],
    [['--static-dir', '/srv/peerlink', '--tls-cert', '/srv/peerlink/cert.pem', '--tls-key', '/srv/peerlink/key.pem'], /--tls-key \(\/srv\/peerlink\/key.pem\) must not be inside --static-dir/],
    [['--ice-servers', '[{"urls":"turn:a","username":1}]'], /username and credential must be strings/],
    [['--tls-cert', 'c.pem'], /--tls-cert and --tls-key must be given together/],
    [['--stun-urls', 'turn:a'], /--stun-urls: 'turn:a' must start with stun/],
    [['--turn-urls', 'stun:a', '--turn-secret', 'x'.repeat(16)], /--turn-urls: 'stun:a' must start with turn/],
    [['--turn-urls', 'turn:a'], /--turn-urls and --turn-secret must be given together/],
    [['--turn-secret', 'x'.repeat(16)], /--turn-urls and --turn-secret must be given together/],
    [['--turn-urls', 'turn:a', '--turn-secret', 'short'], /--turn-secret must be at least 16/],
    [['--data-dir', ''], /--data-dir must not be empty/],
    [['--log-format', 'yaml'], /--log-format must be one of text, json, got 'yaml'/],
    [['--max-connections-per-ip', '0'], /--max-connections-per-ip must be a whole number from 1 to 100000/],
    [['--max-connections-per-peer', 'many'], /--max-connections-per-peer must be a whole number/],
    [['--trust-proxy', 'yes'], /--trust-proxy must be one of true, false, got 'yes'/],
    [['--frobnicate'], /Unknown option '--frobnicate'[\s\S]*--help/],
    [['stray'], /--help/]
  ])('should refuse %j with a clear message', (argv, message) => {
    expect(rejects(argv)).toMatch(message)
  })

  it('should refuse an invalid environment variable as clearly as a flag', () => {
    expect(rejects([], { PEERLINK_PORT: 'ninety' })).toMatch(/--port.*'ninety'/)
  })
})
