import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')
/** A relay that is not answering /healthz by now failed to start. */
const START_TIMEOUT_MS = 30_000
const POLL_MS = 100

async function freePort (): Promise<number> {
  return await new Promise((res, rej) => {
    const server = createServer()
    server.once('error', rej)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { res(typeof address === 'object' && address != null ? address.port : 0) })
    })
  })
}

/**
 * The real relay as its own process, the way `npm start` runs it. It keeps
 * its port and data directory across stop/start, so its peer ID and address
 * stay the same, as they do for a relay restarted in production.
 */
export class RelayProcess {
  #child: ChildProcess | undefined
  #output = ''
  readonly #extraArgs: string[]
  readonly #nodeArgs: string[]
  port = 0
  dataDir = ''

  /**
   * `extraArgs` go to relay/main.ts after the host, port and data dir (e.g.
   * `--max-reservations`); `nodeArgs` go to Node itself (e.g. `--cpu-prof`).
   */
  constructor (extraArgs: string[] = [], nodeArgs: string[] = []) {
    this.#extraArgs = extraArgs
    this.#nodeArgs = nodeArgs
  }

  /** the relay's process ID while it runs (the benchmarks read its /proc entries) */
  get pid (): number | undefined {
    return this.#child?.pid
  }

  get url (): string {
    return `http://127.0.0.1:${this.port}`
  }

  get output (): string {
    return this.#output
  }

  get running (): boolean {
    return this.#child != null && this.#child.exitCode == null
  }

  /** Starts the relay; a no-op when it is running already. */
  async start (): Promise<void> {
    if (this.running) return
    if (this.port === 0) this.port = await freePort()
    if (this.dataDir === '') this.dataDir = await mkdtemp(join(tmpdir(), 'peerlink-relay-'))
    const child = spawn(process.execPath, [...this.#nodeArgs, '--import', 'tsx', 'relay/main.ts', '--host', '127.0.0.1', '--port', String(this.port), '--data-dir', this.dataDir, ...this.#extraArgs], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.#child = child
    child.stdout?.on('data', (d: Buffer) => { this.#output += d.toString() })
    child.stderr?.on('data', (d: Buffer) => { this.#output += d.toString() })
    const deadline = Date.now() + START_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (child.exitCode != null) throw new Error(`relay exited with ${child.exitCode}:\n${this.#output}`)
      try {
        const res = await fetch(`${this.url}/healthz`)
        if (res.ok) return
      } catch {
        // not listening yet
      }
      await new Promise(r => setTimeout(r, POLL_MS))
    }
    throw new Error(`relay did not start within ${START_TIMEOUT_MS} ms:\n${this.#output}`)
  }

  async stop (): Promise<void> {
    const child = this.#child
    if (child == null || child.exitCode != null) return
    const exited = new Promise(r => child.once('exit', r))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
    this.#child = undefined
  }

  async restart (): Promise<void> {
    await this.stop()
    await this.start()
  }

  async dispose (): Promise<void> {
    await this.stop()
    if (this.dataDir !== '') await rm(this.dataDir, { recursive: true, force: true })
  }
}
