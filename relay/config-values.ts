/**
 * Parsers for single relay settings: each turns the text of a flag or
 * environment variable into a value, or throws a ConfigError that names the
 * flag and says what was expected.
 */
import { isIP } from 'node:net'
import { isAbsolute, relative, resolve } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { WebSockets, WebSocketsSecure } from '@multiformats/multiaddr-matcher'
import { peerIdOf } from '../src/lib/shared/addresses.ts'
import { InvalidRelayInfoError, isIceUrl, MAX_ICE_SERVERS, MAX_RELAY_ADDRS, parseRelayInfo } from '../src/lib/shared/relay-info.ts'
import type { IceServer } from '../src/lib/shared/relay-info.ts'
import { MIN_TURN_SECRET_LENGTH } from './constants.ts'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export function parseChoice<T extends string> (name: string, text: string, choices: readonly T[]): T {
  const value = text.trim().toLowerCase()
  const found = choices.find(choice => choice === value)
  if (found == null) {
    throw new ConfigError(`--${name} must be one of ${choices.join(', ')}, got '${text}'`)
  }
  return found
}

export function parseInteger (name: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`)
  }
  return value
}

/** Hostnames become /dns4 addresses, so they are held to DNS syntax here. */
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i

export function parseHost (text: string): string {
  const host = text.trim()
  if (isIP(host) === 0 && !HOSTNAME.test(host)) {
    throw new ConfigError(`--host must be an IP address or a hostname, got '${text}'`)
  }
  return host
}

export function parsePath (name: string, text: string, cwd: string): string {
  if (text.trim() === '') {
    throw new ConfigError(`--${name} must not be empty`)
  }
  return resolve(cwd, text)
}

/** Whether `path` is `dir` or under it (both absolute, as parsePath makes them). */
export function isInside (path: string, dir: string): boolean {
  const rel = relative(dir, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

export function splitList (text: string): string[] {
  return text.split(',').map(item => item.trim()).filter(item => item !== '')
}

export function parseMultiaddr (name: string, text: string): ReturnType<typeof multiaddr> {
  try {
    return multiaddr(text)
  } catch (err) {
    throw new ConfigError(`--${name}: '${text}' is not a multiaddr (${(err as Error).message})`)
  }
}

export function parseAnnounce (text: string): string[] {
  const items = splitList(text)
  // browsers refuse a relay.json with more, so the relay must never build one
  if (items.length > MAX_RELAY_ADDRS) throw new ConfigError(`--announce: at most ${MAX_RELAY_ADDRS} addresses`)
  return items.map(item => {
    const ma = parseMultiaddr('announce', item)
    // browsers can only reach a relay over WebSockets
    if (!WebSockets.matches(ma) && !WebSocketsSecure.matches(ma)) {
      throw new ConfigError(`--announce: '${item}' is not a WebSocket address (it must end in /ws, /wss or /tls/ws)`)
    }
    return ma.toString()
  })
}

export function parseUrls (name: string, text: string, scheme: RegExp): string[] {
  const urls = splitList(text)
  if (urls.length > MAX_ICE_SERVERS) {
    throw new ConfigError(`--${name}: at most ${MAX_ICE_SERVERS} urls`)
  }
  const example = name === 'stun-urls' ? 'stun:turn.example.org:3478' : 'turn:turn.example.org:3478?transport=udp'
  for (const url of urls) {
    if (!scheme.test(url)) {
      throw new ConfigError(`--${name}: '${url}' must start with ${scheme.source.replace(/[\^?]/g, '')}: (e.g. ${example})`)
    }
    // browsers refuse the whole configuration over one bad url (see isIceUrl)
    if (!isIceUrl(url)) {
      throw new ConfigError(`--${name}: '${url}' is not a url a browser takes: host, optional port${name === 'turn-urls' ? ', optional ?transport=udp|tcp' : ', nothing after'} (e.g. ${example})`)
    }
  }
  return urls
}

export function parseSecret (text: string): string {
  if (text.length < MIN_TURN_SECRET_LENGTH) {
    throw new ConfigError(`--turn-secret must be at least ${MIN_TURN_SECRET_LENGTH} characters`)
  }
  return text
}

export function parseBootstrap (text: string): string[] {
  return splitList(text).map(item => {
    const ma = parseMultiaddr('bootstrap', item)
    const peer = peerIdOf(ma)
    if (peer == null) {
      throw new ConfigError(`--bootstrap: '${item}' has no /p2p/<peerId>, so the relay could not check who answers`)
    }
    try {
      peerIdFromString(peer)
    } catch {
      throw new ConfigError(`--bootstrap: '${item}' ends in /p2p/${peer}, which is not a peer ID`)
    }
    return ma.toString()
  })
}

/** Peer IDs, comma-separated: each must be one, or the relay would trust a typo and nobody. */
export function parsePeerIds (name: string, text: string): string[] {
  const items = splitList(text)
  if (items.length === 0) throw new ConfigError(`--${name}: expected one or more peer IDs`)
  return items.map(item => {
    try {
      return peerIdFromString(item).toString()
    } catch {
      throw new ConfigError(`--${name}: '${item}' is not a peer ID`)
    }
  })
}

export function parseIceServers (text: string): IceServer[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new ConfigError(`--ice-servers must be JSON (${(err as Error).message})`)
  }
  if (!Array.isArray(json)) {
    throw new ConfigError('--ice-servers must be a JSON list of RTCIceServer objects, e.g. [{"urls":["stun:stun.example.org"]}]')
  }
  try {
    // the browser checks relay.json with these rules, so the relay must never hand out less
    return parseRelayInfo({ peerId: '-', multiaddrs: [], iceServers: json }).iceServers
  } catch (err) {
    if (err instanceof InvalidRelayInfoError) {
      throw new ConfigError(`--ice-servers: ${err.message}`)
    }
    throw err
  }
}
