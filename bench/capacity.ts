/** 4. Relay capacity: a fresh relay process of its own, loaded by bench/relay-load.ts in another process. */
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { RelayProcess } from '../tests/e2e/relay-process.ts'
import { inspectorUrl } from './inspector.ts'
import type { LoadResult } from './relay-load.ts'

const ROOT = resolve(import.meta.dirname, '..')
/** Headroom over the bench's count, so the relay's limit is never what stops it. */
const RESERVATION_HEADROOM = 100
/** 2,000 libp2p clients in one Node process need more than Node's default heap. */
const LOAD_HEAP_MB = 8192
/** Past the load's own time limit, this much for its last measures before it is killed. */
const LOAD_GRACE_MS = 60_000

export async function relayAddress (url: string): Promise<string> {
  const info = await (await fetch(`${url}/relay.json`)).json() as { multiaddrs: string[] }
  const addr = info.multiaddrs[0]
  if (addr == null) throw new Error('the relay lists no address')
  return addr
}

export async function relayCapacity (target: number, limitMs: number): Promise<LoadResult> {
  // every load client comes from 127.0.0.1, so the per-IP limits must admit them all
  const relay = new RelayProcess([
    '--max-reservations', String(target + RESERVATION_HEADROOM),
    '--max-connections-per-ip', String(2 * (target + RESERVATION_HEADROOM)),
    // every client comes from loopback, and the ramp opens hundreds a second
    '--max-upgrading-per-ip', String(2 * (target + RESERVATION_HEADROOM)),
    '--max-http-connections-per-ip', String(2 * (target + RESERVATION_HEADROOM))
  ], [
    // for the load to force a GC before its memory figures after holding; any free port
    '--inspect=127.0.0.1:0'
  ])
  await relay.start()
  try {
    const pid = relay.pid
    if (pid == null) throw new Error('relay has no pid')
    const addr = await relayAddress(relay.url)
    const child = spawn(process.execPath, [`--max-old-space-size=${LOAD_HEAP_MB}`, '--import', 'tsx', 'bench/relay-load.ts', addr, String(pid), String(target), String(limitMs), relay.url, inspectorUrl(relay.output) ?? ''], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (process.env.BENCH_DEBUG != null) process.stderr.write(d)
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), limitMs + LOAD_GRACE_MS)
    const code = await new Promise<number | null>(res => child.once('exit', res))
    clearTimeout(killer)
    const line = stdout.trim().split('\n').pop() ?? ''
    if (code !== 0 || line === '') throw new Error(`relay load exited with ${code}: ${stderr.slice(-2000)}`)
    return JSON.parse(line) as LoadResult
  } finally {
    await relay.dispose()
  }
}
