import { createHmac } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TURN_CREDENTIAL_TTL_MS } from '../../relay/constants.ts'
import { startRelay } from '../../relay/relay.ts'
import { iceServersFor, turnCredentials } from '../../relay/turn.ts'
import { parseRelayInfo } from '../../src/lib/shared/relay-info.ts'

const SECRET = 'lab-secret-0123456789'
const NOW = Date.UTC(2030, 0, 1)

/** What coturn does with use-auth-secret: recompute the password from the username. */
function coturnAccepts (username: string, credential: string, secret: string, now: number): boolean {
  const expiry = Number(username.split(':')[0])
  const expected = createHmac('sha1', secret).update(username).digest('base64')
  return expected === credential && expiry * 1000 > now
}

describe('TURN REST credentials', () => {
  it('should put the expiry, TTL from now, in the username and HMAC-SHA1 it with the secret', () => {
    const { username, credential } = turnCredentials(SECRET, NOW, TURN_CREDENTIAL_TTL_MS, 'tag')
    expect(username).toBe(`${(NOW + TURN_CREDENTIAL_TTL_MS) / 1000}:tag`)
    // a known answer, computed independently of the code under test
    expect(credential).toBe(createHmac('sha1', SECRET).update(username).digest('base64'))
    expect(coturnAccepts(username, credential, SECRET, NOW)).toBe(true)
  })

  it('should make credentials that are refused after the TTL and with another secret', () => {
    const { username, credential } = turnCredentials(SECRET, NOW)
    expect(coturnAccepts(username, credential, SECRET, NOW + TURN_CREDENTIAL_TTL_MS + 1000)).toBe(false)
    expect(coturnAccepts(username, credential, 'another-secret-0123456', NOW)).toBe(false)
  })

  it('should keep credentials short-lived', () => {
    expect(TURN_CREDENTIAL_TTL_MS).toBeLessThanOrEqual(24 * 3600_000)
  })

  it('should give every request different credentials', () => {
    const a = turnCredentials(SECRET, NOW)
    const b = turnCredentials(SECRET, NOW)
    expect(a.username).not.toBe(b.username)
    expect(a.credential).not.toBe(b.credential)
  })

  it('should list given ICE servers, then STUN, then TURN with fresh credentials, and never the secret', () => {
    const servers = iceServersFor({
      iceServers: [{ urls: ['stun:other.example.org'] }],
      stunUrls: ['stun:203.0.113.1:3478'],
      turnUrls: ['turn:203.0.113.1:3478?transport=udp'],
      turnSecret: SECRET
    }, NOW)
    expect(servers).toHaveLength(3)
    expect(servers[0]).toEqual({ urls: ['stun:other.example.org'] })
    expect(servers[1]).toEqual({ urls: ['stun:203.0.113.1:3478'] })
    expect(servers[2].urls).toEqual(['turn:203.0.113.1:3478?transport=udp'])
    expect(coturnAccepts(servers[2].username ?? '', servers[2].credential ?? '', SECRET, NOW)).toBe(true)
    expect(JSON.stringify(servers)).not.toContain(SECRET)
  })

  it('should hand out no TURN server without a secret, and nothing at all by default', () => {
    expect(iceServersFor({ iceServers: [], stunUrls: [], turnUrls: ['turn:a'] })).toEqual([])
    expect(iceServersFor({ iceServers: [], stunUrls: [], turnUrls: [] })).toEqual([])
  })

  it('should serve new valid credentials in every /relay.json answer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerlink-turn-test-'))
    const relay = await startRelay({
      host: '127.0.0.1',
      port: 0,
      dataDir: dir,
      staticDir: dir,
      stunUrls: ['stun:203.0.113.1:3478'],
      turnUrls: ['turn:203.0.113.1:3478'],
      turnSecret: SECRET
    })
    try {
      const answers = await Promise.all([0, 1].map(async () => {
        const body = await (await fetch(`${relay.url}/relay.json`)).text()
        expect(body).not.toContain(SECRET)
        return parseRelayInfo(JSON.parse(body))
      }))
      const turns = answers.map(info => info.iceServers.find(s => s.urls[0].startsWith('turn:')))
      for (const turn of turns) {
        expect(coturnAccepts(turn?.username ?? '', turn?.credential ?? '', SECRET, Date.now())).toBe(true)
      }
      expect(turns[0]?.username).not.toBe(turns[1]?.username)
    } finally {
      await relay.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }, 30_000)
})
