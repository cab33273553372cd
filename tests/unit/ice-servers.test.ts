import { describe, expect, it } from 'vitest'
import { ICE_REFRESH_MARGIN_MS, ICE_REFRESH_RETRY_MS, IceServers, turnExpiry } from '../../src/lib/state/ice-servers.ts'
import type { IceServer, RelayInfo } from '../../src/lib/shared/relay-info.ts'

const HOUR = 60 * 60 * 1000
const NOW = 1_800_000_000_000

function turn (expiresAt: number): IceServer {
  return { urls: ['turn:turn.example.org:3478'], username: `${Math.floor(expiresAt / 1000)}:abcd`, credential: 'c' }
}

function info (iceServers: IceServer[]): RelayInfo {
  return { peerId: 'relay', multiaddrs: [], iceServers, relays: [] }
}

describe('ICE servers for the next connection', () => {
  it('reads the expiry from TURN REST usernames, and none from STUN or other credentials', () => {
    expect(turnExpiry([turn(NOW + HOUR), turn(NOW + 2 * HOUR)])).toBe(NOW + HOUR)
    expect(turnExpiry([{ urls: ['stun:stun.example.org'] }, { urls: ['turn:t'], username: 'alice', credential: 'x' }])).toBeUndefined()
  })

  it('hands out credentials with time left as they are, without asking the relay', async () => {
    let fetches = 0
    const servers = new IceServers([turn(NOW + HOUR)], async () => { fetches++; return info([]) }, () => NOW)
    expect(await servers.current()).toEqual([turn(NOW + HOUR)])
    expect(fetches).toBe(0)
  })

  it('fetches fresh credentials once those held (kept from an earlier visit, or a page open for long) have expired', async () => {
    let fetches = 0
    const fresh = [turn(NOW + 12 * HOUR)]
    const servers = new IceServers([turn(NOW - HOUR)], async () => { fetches++; return info(fresh) }, () => NOW)
    const [a, b] = await Promise.all([servers.current(), servers.current()])
    expect(a).toEqual(fresh)
    expect(b).toEqual(fresh)
    expect(fetches).toBe(1)
    expect(await servers.current()).toEqual(fresh)
    expect(fetches).toBe(1)
  })

  it('fetches before expiry too, when too little is left for an allocation\'s next refresh', async () => {
    const fresh = [turn(NOW + 12 * HOUR)]
    const servers = new IceServers([turn(NOW + ICE_REFRESH_MARGIN_MS - 1000)], async () => info(fresh), () => NOW)
    expect(await servers.current()).toEqual(fresh)
  })

  it('asks again only after a while when the relay hands out credentials that look expired already (its clock is wrong)', async () => {
    let now = NOW
    let fetches = 0
    const servers = new IceServers([turn(NOW - HOUR)], async () => { fetches++; return info([turn(NOW - HOUR)]) }, () => now)
    await servers.current()
    await servers.current()
    expect(fetches).toBe(1)
    now += ICE_REFRESH_RETRY_MS
    await servers.current()
    expect(fetches).toBe(2)
  })

  it('with the relay unreachable, uses the old ones and asks again only after a while', async () => {
    let now = NOW
    let fetches = 0
    const stale = [turn(NOW - HOUR)]
    const servers = new IceServers(stale, async () => { fetches++; throw new Error('down') }, () => now)
    expect(await servers.current()).toEqual(stale)
    expect(await servers.current()).toEqual(stale)
    expect(fetches).toBe(1)
    now += ICE_REFRESH_RETRY_MS
    await servers.current()
    expect(fetches).toBe(2)
  })
})
