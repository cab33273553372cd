/**
 * `npm run bench`: every benchmark of issue 7 in one run, each beside the
 * platform's floor measured in the same run. Prints a table and writes
 * bench/results/<time>.json. Runs inside the loopback-only network namespace
 * (package.json wraps it in scripts/loopback-netns.sh). Figures only: it
 * never fails on timing.
 */
import '../relay/polyfill.ts'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { RelayProcess } from '../tests/e2e/relay-process.ts'
import { launch } from './browser.ts'
import { relayAddress, relayCapacity } from './capacity.ts'
import { startDelayProxy } from './delay-proxy.ts'
import { messageLatency } from './messages.ts'
import { PLAN, selectedSections, TOTAL_LIMIT_MS } from './plan.ts'
import { messageStepTable, phaseTable, rows, type Results } from './report.ts'
import { startBenchServer } from './server.ts'
import { table } from './stats.ts'
import { timeToTalk } from './time-to-talk.ts'
import { transport } from './transport.ts'
import { weight } from './weight.ts'

const ROOT = resolve(import.meta.dirname, '..')
const BUILD = join(ROOT, 'build')
const PAGES = join(ROOT, 'bench', '.dist')
const RESULTS = join(ROOT, 'bench', 'results')

function sh (command: string, args: string[]): void {
  const run = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' })
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`)
}

function log (message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)
}

async function main (): Promise<void> {
  if (process.env.PEERLINK_NETNS !== 'loopback') log('warning: not inside the loopback namespace (use npm run bench)')
  const only = selectedSections()
  // a build left from older code would be measured silently, so build unless asked not to
  if (process.env.BENCH_SKIP_BUILD !== '1' || !existsSync(join(BUILD, 'index.html'))) sh('npm', ['run', 'build'])
  sh('npx', ['vite', 'build', '-c', 'bench/vite.config.ts'])
  const results: Results = { errors: [] }
  const startedAt = new Date()
  // BENCH_RELAY_RTT_MS: the pages reach the relay through a proxy that adds
  // this round trip (delay-proxy.ts); the floors keep loopback's
  const relayRttMs = Number(process.env.BENCH_RELAY_RTT_MS ?? 0)
  const conditions = { cpus: cpus().length, cpu: cpus()[0]?.model, loadBefore: loadavg(), node: process.version, plan: PLAN, sections: [...only], relayRttMs }
  const save = async (): Promise<string> => {
    await mkdir(RESULTS, { recursive: true })
    const file = join(RESULTS, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`)
    const body = JSON.stringify({ startedAt, conditions: { ...conditions, loadAfter: loadavg() }, rows: rows(results), results }, null, 2)
    await writeFile(file, body)
    await writeFile(join(RESULTS, 'latest.json'), body)
    return file
  }
  const watchdog = setTimeout(() => {
    log(`total time limit of ${TOTAL_LIMIT_MS / 60_000} min reached: writing what there is`)
    void save().finally(() => process.exit(1))
  }, TOTAL_LIMIT_MS)

  // BENCH_PROFILE: the relay's CPU profiles too, one per thread, written when
  // it exits (relay/CPU.*.cpuprofile; the largest is its main thread)
  const profileDir = process.env.BENCH_PROFILE
  const proxy = relayRttMs > 0 ? await startDelayProxy(relayRttMs) : undefined
  const relay = new RelayProcess(
    proxy != null ? ['--announce', `/ip4/127.0.0.1/tcp/${proxy.port}/ws`] : [],
    profileDir != null && profileDir !== '' ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, 'relay')}`] : []
  )
  const server = await startBenchServer(PAGES)
  await relay.start()
  proxy?.forwardTo(relay.port)
  const relayUrl = proxy != null ? `http://127.0.0.1:${proxy.port}` : relay.url
  if (proxy != null) log(`the pages reach the relay through a proxy adding ${relayRttMs} ms per round trip`)
  const browser = await launch()
  const step = async (name: string, work: () => Promise<void>): Promise<void> => {
    // what the sections before wrote (browser profiles on disk, since deleted) is
    // written back now, not in the middle of this one's strict IndexedDB commits
    sh('sync', [])
    log(`${name}…`)
    const t0 = Date.now()
    try {
      await work()
    } catch (err) {
      results.errors.push(`${name}: ${(err as Error).message.split('\n')[0]}`)
      log(`${name} failed: ${(err as Error).message}`)
    }
    log(`${name} took ${((Date.now() - t0) / 1000).toFixed(0)} s`)
  }
  try {
    const relayAddr = await relayAddress(relayUrl)
    if (only.has(1)) await step('time to talk', async () => { results.timeToTalk = await timeToTalk(browser, relayUrl, server, PLAN.timeToTalkRuns) })
    if (only.has(2) || only.has(3)) await step('transport floor and bulk', async () => { results.transport = await transport(server, relayAddr, PLAN.transport) })
    if (only.has(2)) await step('message latency and burst', async () => { results.messages = await messageLatency(relayUrl, PLAN.singles, PLAN.burst, PLAN.bursts, PLAN.burstLimitMs) })
    if (only.has(5)) await step('weight', async () => { results.weight = await weight(browser, relayUrl, BUILD, PLAN.heapConversations, PLAN.heapMessages) })
  } finally {
    await browser.close()
    await relay.dispose()
    await proxy?.close()
    await server.close()
  }
  // last, alone: it loads the machine more than anything else
  if (only.has(4)) await step('relay capacity', async () => { results.capacity = await relayCapacity(PLAN.reservations, PLAN.reservationsLimitMs) })
  clearTimeout(watchdog)

  const file = await save()
  console.log(`\nPeerlink benchmark, ${startedAt.toISOString()}: ${conditions.cpus} × ${conditions.cpu ?? '?'}, load average before ${conditions.loadBefore.map(l => l.toFixed(1)).join(' ')}, after ${loadavg().map(l => l.toFixed(1)).join(' ')}${relayRttMs > 0 ? `, the relay ${relayRttMs} ms away (round trip) from the pages` : ''}\n`)
  console.log(table(rows(results)))
  if (results.timeToTalk != null) console.log(`\nTime to talk, phase by phase:\n\n${phaseTable(results.timeToTalk)}`)
  if (results.messages != null) console.log(`\nOne message, step by step (${results.messages.steps.length} messages):\n\n${messageStepTable(results.messages)}`)
  const failures = [...results.errors, ...(results.timeToTalk?.failures ?? []), ...(results.messages?.failures ?? []), ...(results.transport?.failures ?? [])]
  if (failures.length > 0) console.log(`\nNot measured or failed:\n${failures.map(f => `- ${f}`).join('\n')}`)
  console.log(`\nJSON: ${file}`)
}

main().then(() => process.exit(0), (err: Error) => {
  console.error(err.stack ?? err.message)
  process.exit(1)
})
