import { describe, expect, it } from 'vitest'
import { noDnsaddr } from '../../vite/no-dnsaddr.ts'
import { buildsWithAndWithout } from './browser-build.ts'

// The plugin is judged on real builds of libp2p's address resolution for the
// browser, with it and (to show what it takes out) without it.
type Probe = typeof import('./fixtures/dnsaddr-probe.ts')
const builds = buildsWithAndWithout<Probe>('dnsaddr-probe.ts', [noDnsaddr()], 60_000)

const DNSADDR = '/dnsaddr/relay.example.org/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
const PUBLIC_RESOLVERS = ['cloudflare-dns.com', 'dns.google']

describe('the browser build does not resolve /dnsaddr addresses', () => {
  it('should leave the DNS-over-HTTPS client and its public resolvers out', () => {
    for (const host of PUBLIC_RESOLVERS) {
      expect(builds.whole.code).toContain(host)
      expect(builds.trimmed.code).not.toContain(host)
    }
    expect(builds.trimmed.code.length).toBeLessThan(builds.whole.code.length)
  })

  it('should leave a /dnsaddr address as it is, for no transport to dial, without asking anyone', async () => {
    expect(await builds.trimmed.module.resolve(DNSADDR)).toEqual([DNSADDR])
  })

  it('should pass every other address through unchanged', async () => {
    for (const address of ['/dns4/relay.example.org/tcp/443/wss', '/ip4/127.0.0.1/tcp/9090/ws']) {
      expect(await builds.trimmed.module.resolve(address)).toEqual([address])
    }
  })
})
