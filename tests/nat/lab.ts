/**
 * The NAT lab: builds the namespaces of topology.ts, starts the relay and
 * coturn in "public" and one Chromium per host namespace, and takes it all
 * down again, also when a test fails half way.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser } from '@playwright/test'
import { CHROMIUM, QUIET_ARGS } from '../chromium.ts'
import { all, namespaces, PUBLIC_IP, routerRules, setupScript, SIDES, WAN_IP, type Namespaces, type NatKind, type Side } from './topology.ts'

const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname, '../..')

/** Every lab namespace starts with this and the owning process's pid, so stale ones can be told apart. */
export const PREFIX = 'plnat'
const RELAY_PORT = 8080
const TURN_PORT = 3478
/** A test secret: it only ever exists inside the lab. */
const TURN_SECRET = 'peerlink-nat-lab-secret'
/** The relay compiles TypeScript with tsx on start; on a busy 2-core machine that takes seconds. */
const START_TIMEOUT_MS = 30_000
const POLL_MS = 100
/** A process that ignores SIGTERM this long gets SIGKILL. */
const KILL_GRACE_MS = 3_000

export interface LabOptions {
  a: NatKind
  b: NatKind
  /** hand browsers TURN credentials (STUN is always configured) */
  turn: boolean
}

export const ORIGIN = `http://${PUBLIC_IP}:${RELAY_PORT}`

export class NatLab {
  readonly ns: Namespaces
  readonly #options: LabOptions
  readonly #dir: string
  #relay: ChildProcess | undefined
  #turn: ChildProcess | undefined
  readonly #browsers: Browser[] = []
  #output = ''

  private constructor (ns: Namespaces, options: LabOptions, dir: string) {
    this.ns = ns
    this.#options = options
    this.#dir = dir
  }

  /** Builds the network and starts coturn and the relay; on any failure tears down what was made. */
  static async start (options: LabOptions): Promise<NatLab> {
    const dir = await mkdtemp(join(tmpdir(), 'peerlink-nat-'))
    const lab = new NatLab(namespaces(`${PREFIX}${process.pid}`), options, dir)
    try {
      const started = Date.now()
      await run('bash', ['-c', setupScript(lab.ns)])
      for (const side of SIDES) {
        await lab.#inNs(lab.ns.router[side], 'iptables-restore', [], routerRules(options[side]))
      }
      console.log(`[figure] NAT lab network set-up (${options.a}/${options.b}): ${Date.now() - started} ms`)
      lab.#turn = lab.#spawn(lab.ns.pub, 'turnserver', lab.#turnArgs())
      await lab.startRelay()
      return lab
    } catch (err) {
      await lab.stop()
      throw err
    }
  }

  get output (): string {
    return this.#output
  }

  #turnArgs (): string[] {
    return [
      '-n', '--no-cli', '--no-tls', '--no-dtls', '--fingerprint',
      `--listening-ip=${PUBLIC_IP}`, `--relay-ip=${PUBLIC_IP}`, `--listening-port=${TURN_PORT}`,
      '--realm=peerlink.lab', '--use-auth-secret', `--static-auth-secret=${TURN_SECRET}`,
      `--pidfile=${join(this.#dir, 'turnserver.pid')}`, `--userdb=${join(this.#dir, 'turndb')}`,
      '--log-file=stdout', '--simple-log', '--no-multicast-peers'
    ]
  }

  #relayArgs (): string[] {
    const stun = `stun:${PUBLIC_IP}:${TURN_PORT}`
    const turn = [`turn:${PUBLIC_IP}:${TURN_PORT}?transport=udp`, `turn:${PUBLIC_IP}:${TURN_PORT}?transport=tcp`]
    return [
      '--import', 'tsx', 'relay/main.ts', '--host', PUBLIC_IP, '--port', String(RELAY_PORT),
      '--data-dir', join(this.#dir, 'relay'), '--stun-urls', stun,
      ...(this.#options.turn ? ['--turn-urls', turn.join(','), '--turn-secret', TURN_SECRET] : [])
    ]
  }

  async startRelay (): Promise<void> {
    if (this.#relay?.exitCode === null) return
    const from = this.#output.length
    const relay = this.#spawn(this.ns.pub, process.execPath, this.#relayArgs())
    this.#relay = relay
    const deadline = Date.now() + START_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (relay.exitCode != null) throw new Error(`relay exited with ${relay.exitCode}:\n${this.#output}`)
      // main.ts prints this once HTTP and libp2p both listen; the test process
      // itself cannot poll /healthz, it has no route into the lab
      if (this.#output.slice(from).includes(`ready at ${ORIGIN}`)) return
      await new Promise(r => setTimeout(r, POLL_MS))
    }
    throw new Error(`relay did not start within ${START_TIMEOUT_MS} ms:\n${this.#output}`)
  }

  async stopRelay (): Promise<void> {
    await stopProcess(this.#relay)
  }

  /**
   * Cuts (or mends) the UDP path between the two routers, as a network that
   * stops carrying a call would: at router A, every UDP packet to or from
   * router B is dropped. The relay and the STUN server stay reachable.
   */
  async setDirectPath (open: boolean): Promise<void> {
    for (const [dir, addr] of [['-d', WAN_IP.b], ['-s', WAN_IP.b]]) {
      await this.#inNs(this.ns.router.a, 'iptables', [open ? '-D' : '-I', 'FORWARD', '-p', 'udp', dir, addr, '-j', 'DROP'])
    }
  }

  /** A headless Chromium inside a host namespace: its traffic goes through that side's router. */
  async browser (side: Side): Promise<Browser> {
    const wrapper = join(this.#dir, `chromium-${side}.sh`)
    await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${this.ns.host[side]} ${CHROMIUM} "$@"\n`)
    await chmod(wrapper, 0o755)
    const browser = await chromium.launch({
      executablePath: wrapper,
      args: [
        ...QUIET_ARGS,
        // the page comes over plain http from the lab's public address, which
        // is no secure context: without this, no WebCrypto and no libp2p
        `--unsafely-treat-insecure-origin-as-secure=${ORIGIN}`
      ]
    })
    this.#browsers.push(browser)
    return browser
  }

  /** Takes everything down; safe to call twice and after a failed start. */
  async stop (): Promise<void> {
    await Promise.all(this.#browsers.splice(0).map(async b => { await b.close().catch(() => {}) }))
    await Promise.all([stopProcess(this.#relay), stopProcess(this.#turn)])
    await removeNamespaces(all(this.ns))
    await rm(this.#dir, { recursive: true, force: true })
  }

  #spawn (ns: string, command: string, args: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const name = command.split('/').pop() ?? command
    const keep = (d: Buffer): void => { this.#output += `[${name}] ${d.toString()}` }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    return child
  }

  async #inNs (ns: string, command: string, args: string[], input?: string): Promise<void> {
    await new Promise<void>((res, rej) => {
      const child = execFile('ip', ['netns', 'exec', ns, command, ...args], err => { if (err != null) rej(err); else res() })
      // a command that reads no input may exit before the pipe is written or closed: EPIPE is no failure of its own
      child.stdin?.on('error', () => {})
      if (input != null) child.stdin?.end(input)
      else child.stdin?.end()
    })
  }
}

/** SIGTERM, then SIGKILL after KILL_GRACE_MS; `ip netns exec` execs, so the pid is the process itself. */
async function stopProcess (child: ChildProcess | undefined): Promise<void> {
  if (child == null || child.exitCode != null || child.signalCode != null) return
  const exited = new Promise(r => child.once('exit', r))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS)
  await exited
  clearTimeout(timer)
}

/**
 * Deletes namespaces after killing whatever still runs in them: only lab
 * processes ever run there (a browser Playwright failed to close, say).
 */
export async function removeNamespaces (names: string[]): Promise<void> {
  const existing = new Set(await listNamespaces())
  for (const name of names.filter(n => existing.has(n))) {
    const { stdout } = await run('ip', ['netns', 'pids', name]).catch(() => ({ stdout: '' }))
    for (const pid of stdout.split(/\s+/).filter(p => /^\d+$/.test(p))) {
      try { process.kill(Number(pid), 'SIGKILL') } catch { /* gone already */ }
    }
    await run('ip', ['netns', 'del', name]).catch(() => {})
  }
}

export async function listNamespaces (): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list'])
  return stdout.split('\n').map(line => line.split(' ')[0]).filter(n => n !== '')
}
