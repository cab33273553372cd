/**
 * Short-lived TURN credentials from a secret shared with the TURN server: the
 * "TURN REST API" scheme (draft-uberti-behave-turn-rest) that coturn checks
 * with `use-auth-secret` / `static-auth-secret`. The username carries its own
 * expiry and the password is an HMAC of it, so the TURN server needs no user
 * database and a browser never sees anything that outlives TURN_CREDENTIAL_TTL_MS.
 */
import { createHmac, randomBytes } from 'node:crypto'
import type { IceServer } from '../src/lib/shared/relay-info.ts'
import { TURN_CREDENTIAL_TTL_MS, TURN_USER_TAG_BYTES } from './constants.ts'

export interface TurnCredentials {
  /** `<unix expiry in seconds>:<random tag>` */
  username: string
  /** base64(HMAC-SHA1(secret, username)) */
  credential: string
}

/** The ICE servers part of the relay's configuration. */
export interface IceConfig {
  /** RTCIceServer objects given as they are (--ice-servers) */
  iceServers: IceServer[]
  /** stun: / stuns: urls, no credentials needed */
  stunUrls: string[]
  /** turn: / turns: urls of a TURN server that shares turnSecret */
  turnUrls: string[]
  turnSecret?: string
}

export function turnCredentials (secret: string, now = Date.now(), ttlMs = TURN_CREDENTIAL_TTL_MS, tag = randomBytes(TURN_USER_TAG_BYTES).toString('hex')): TurnCredentials {
  const expiry = Math.floor((now + ttlMs) / 1000)
  // a random tag rather than a user name: the relay knows no users, and
  // two browsers' credentials should not be linkable by the TURN server's logs
  const username = `${expiry}:${tag}`
  const credential = createHmac('sha1', secret).update(username).digest('base64')
  return { username, credential }
}

/** The ICE servers one browser gets in /relay.json: TURN credentials are fresh on every request. */
export function iceServersFor (config: IceConfig, now = Date.now()): IceServer[] {
  const servers: IceServer[] = [...config.iceServers]
  if (config.stunUrls.length > 0) servers.push({ urls: config.stunUrls })
  if (config.turnUrls.length > 0 && config.turnSecret != null) {
    servers.push({ urls: config.turnUrls, ...turnCredentials(config.turnSecret, now) })
  }
  return servers
}
