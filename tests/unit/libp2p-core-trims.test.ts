import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { loggerOnDemand } from '../../vite/logger-on-demand.ts'
import { noAddressMappings } from '../../vite/no-address-mappings.ts'
import { noRandomWalk } from '../../vite/no-random-walk.ts'
import { noRouting } from '../../vite/no-routing.ts'
import { plainRetry } from '../../vite/plain-retry.ts'
import { singleProcessLock } from '../../vite/single-process-lock.ts'
import { buildsWithAndWithout } from './browser-build.ts'

// The plugins are judged on real builds of libp2p's core for the browser,
// with them and (to show what they take out) without them, then run here.
type Probe = typeof import('./fixtures/libp2p-core-probe.ts')
const builds = buildsWithAndWithout<Probe>('libp2p-core-probe.ts', [loggerOnDemand(), plainRetry(), noAddressMappings(), noRandomWalk(), noRouting(), singleProcessLock()], 120_000)

afterEach(() => {
  vi.restoreAllMocks()
})

// weald's read of the namespaces to log, and p-retry's check on what was thrown
const LOGGER_CODE = /getItem\(["']debug["']\)/
const P_RETRY_CODE = 'Non-error was thrown'

describe("the browser build's logger for libp2p", () => {
  it("should leave libp2p's logging code out", () => {
    expect(builds.whole.code).toMatch(LOGGER_CODE)
    expect(builds.trimmed.code).not.toMatch(LOGGER_CODE)
  })

  it('should give every component a logger that prints nothing and never fails', async () => {
    const printed = [vi.spyOn(console, 'log'), vi.spyOn(console, 'debug'), vi.spyOn(console, 'error'), vi.spyOn(console, 'info')]
    const log = await builds.trimmed.module.componentLog()
    expect(log).toEqual({ enabled: false, scoped: true, same: false })
    for (const spy of printed) expect(spy).not.toHaveBeenCalled()
  })

  it('should let the node take a logger it is given, as debug-log.ts does when asked for logs', async () => {
    const lines: string[] = []
    const line = Object.assign((text: string) => { lines.push(text) }, { enabled: true, error: () => {}, trace: () => {} })
    const given = { forComponent: () => Object.assign(line, { newScope: () => line }) }
    const log = await builds.trimmed.module.componentLog(given as never)
    expect(log.same).toBe(true)
    expect(log.enabled).toBe(true)
    expect(lines).toContain('a line %s')
  })
})

describe("the browser build's retry loop for libp2p's reconnect queue", () => {
  it('should leave p-retry out', () => {
    expect(builds.whole.code).toContain(P_RETRY_CODE)
    expect(builds.trimmed.code).not.toContain(P_RETRY_CODE)
  })

  it("should redial as often as with p-retry, and give up as it does", async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5 }), async (retries, succeedOn) => {
      const [ours, library] = await Promise.all([builds.trimmed.module.redial(retries, succeedOn), builds.whole.module.redial(retries, succeedOn)])
      expect(ours).toEqual(library)
    }), { numRuns: 40 })
  })

  it('should try once and give up at once with the node’s reconnectRetries of 0', async () => {
    expect(await builds.trimmed.module.redial(0, 0)).toEqual({ dials: 1, failed: true })
  })
})

// a line each of the two mapping tables logs as it confirms one
const MAPPING_CODE = /DNS mapping as verified|IP mapping as verified/

describe("the browser build's address manager", () => {
  it("should leave libp2p's DNS and NAT mapping tables out", () => {
    expect(builds.whole.code).toMatch(MAPPING_CODE)
    expect(builds.trimmed.code).not.toMatch(MAPPING_CODE)
  })

  it('should list the same own addresses as libp2p does with no mapping, and take a mapping asked for without failing', async () => {
    const listen = '/ip4/10.0.0.5/tcp/4001/ws'
    const [ours, library] = await Promise.all([builds.trimmed.module.addressesWithMappings(listen), builds.whole.module.addressesWithMappings(listen)])
    expect(ours.plain).toEqual(library.plain)
    expect(ours.plain.length).toBeGreaterThan(0)
    // libp2p adds the mapped addresses; the page, which is never reached at its own IP, keeps none
    expect(library.mapped.length).toBeGreaterThan(library.plain.length)
    expect(ours.mapped).toEqual(ours.plain)
  })
})

// a line of the walk's own loop
const RANDOM_WALK_CODE = 'no walkers left, ended walk'

describe("the browser build's random walk", () => {
  it("should leave libp2p's random walk out", () => {
    expect(builds.whole.code).toContain(RANDOM_WALK_CODE)
    expect(builds.trimmed.code).not.toContain(RANDOM_WALK_CODE)
  })

  it('should end at once, finding nobody, where libp2p with no peer router fails', async () => {
    const [ours, library] = await Promise.all([builds.trimmed.module.randomWalk(), builds.whole.module.randomWalk()])
    expect(library).toEqual({ found: 0, error: 'NoPeerRoutersError' })
    expect(ours).toEqual({ found: 0 })
  })
})

// a line of libp2p's peer routing, and a name its content routing traces its calls by
const ROUTING_CODE = ['Should not try to find self', 'libp2p.contentRouting.findProviders']

describe("the browser build's peer and content routing", () => {
  it("should leave libp2p's routing out", () => {
    for (const code of ROUTING_CODE) {
      expect(builds.whole.code).toContain(code)
      expect(builds.trimmed.code).not.toContain(code)
    }
  })

  it('should fail as libp2p does with no peer router, so a dial to a peer with no address reads it as not found', async () => {
    const [ours, library] = await Promise.all([builds.trimmed.module.peerRouting(), builds.whole.module.peerRouting()])
    expect(library).toEqual({ findPeer: 'NoPeerRoutersError', closest: 'NoPeerRoutersError' })
    expect(ours).toEqual(library)
  })

  it('should answer every content routing call as libp2p does with no content router, started or not', async () => {
    const [ours, library] = await Promise.all([builds.trimmed.module.contentRouting(), builds.whole.module.contentRouting()])
    expect(library).toMatchObject({ findProviders: 'NoContentRoutersError', put: 'done', get: 'AggregateError', 'get before start': 'NotStartedError' })
    expect(ours).toEqual(library)
  })
})

// mortice's name for the BroadcastChannel it opens in a page, and a message its workers send
const MORTICE_CODE = ['lock:worker:request-read', 'lock:master:grant-write']

describe("the browser build's peer store locks", () => {
  it('should leave mortice out', () => {
    for (const code of MORTICE_CODE) {
      expect(builds.whole.code).toContain(code)
      expect(builds.trimmed.code).not.toContain(code)
    }
  })

  it('should lose no merge of one peer made all at once, as with mortice', async () => {
    const [ours, library] = await Promise.all([builds.trimmed.module.peerStoreMerges(50), builds.whole.module.peerStoreMerges(50)])
    expect(library).toEqual({ tags: 50, failedReads: 0 })
    expect(ours).toEqual(library)
  })
})
