/**
 * `npm run bench:ab -- <rev> [rounds]`: the benchmark of commit <rev> and of
 * this working tree in alternating runs, then each row's figure per run and
 * the median of those per side.
 *
 * Why: on this 2-core machine the figures of one unchanged commit drift by
 * 15 % and more from run to run (docs/performance.md), more than most
 * changes move them. Runs that alternate share that drift, so a difference
 * that holds in every pair is the change's. Which side runs first alternates
 * too, so an even number of rounds (the default) cancels what running
 * second costs. `BENCH_ONLY` picks the sections (default 1, time to talk);
 * both builds are made first.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { MESSAGE_STEPS, type MessageFigures } from './messages.ts'
import { summarize, type Row } from './stats.ts'
import type { Phases, TimeToTalk } from './time-to-talk.ts'

/** even, so each side runs first as often as second */
const DEFAULT_ROUNDS = 4
const HERE = resolve(import.meta.dirname, '..')

function run (cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} in ${cwd} failed:\n${result.stderr}${result.stdout.slice(-2000)}`)
  return result.stdout
}

/** The row's headline figure: a distribution's median, or the figure itself. */
function figure (row: Row): number {
  return typeof row.value === 'number' ? row.value : row.value.median
}

interface Results {
  rows: Row[]
  results: { messages?: MessageFigures, timeToTalk?: TimeToTalk }
}

/** Each phase of a link opening as a row: a change to one step shows there before it shows in the total. */
function phaseRows (talk: TimeToTalk | undefined): Row[] {
  if (talk == null) return []
  const runs: Array<[string, Phases[]]> = [['new user', talk.cold], ['returning (new tab)', talk.warm], ['same tab', talk.sameTab]]
  return runs.flatMap(([run, phases]) => Object.keys(phases[0] ?? {}).map((phase): Row => ({
    section: '1 time to talk',
    what: `${run}, ${phase}`,
    unit: 'ms since navigation',
    value: summarize(phases.map(p => p[phase] ?? Number.NaN))
  })))
}

/**
 * A row's name across runs: without what a run says of itself in brackets
 * ("2000 granted, 0 failed, 1997 clients still listing theirs", "10 of 10
 * failed"), which would keep one figure of two runs apart.
 */
function measureName (row: Row): string {
  return `${row.section}: ${row.what.replace(/ \([^()]*\d[^()]*\)/g, '')} (${row.unit})`
}

/** The table's rows, and the steps of one message and of a link opening as rows of their own: a change moves some steps and not others. */
async function benchOnce (cwd: string, only: string): Promise<Row[]> {
  const out = run(cwd, 'npm', ['run', 'bench'], { ...process.env, BENCH_SKIP_BUILD: '1', BENCH_ONLY: only })
  const file = /^JSON: (.+)$/m.exec(out)?.[1]
  if (file == null) throw new Error(`no results from the benchmark in ${cwd}:\n${out.slice(-2000)}`)
  const { rows, results } = JSON.parse(await readFile(file, 'utf8')) as Results
  const steps = results.messages?.steps ?? []
  const stepRows = MESSAGE_STEPS.map((step): Row => ({
    section: '2 messages',
    what: `one message, ${step}`,
    unit: 'ms after Enter',
    value: summarize(steps.map(s => s[step] ?? Number.NaN))
  }))
  return [...rows, ...stepRows, ...phaseRows(results.timeToTalk)]
}

/** What decides the installed packages: a revision that differs in any of these gets its own install. */
const DEPENDENCY_FILES = ['package.json', 'package-lock.json', 'patches']

/**
 * The same packages as the working tree when `rev` asks for the same ones
 * (a link, no install); otherwise its own clean install, so that a change to
 * a dependency or to one of its patches is measured too.
 */
async function installFor (dir: string, rev: string): Promise<void> {
  const same = spawnSync('git', ['diff', '--quiet', rev, '--', ...DEPENDENCY_FILES], { cwd: HERE }).status === 0
  if (same) {
    await symlink(join(HERE, 'node_modules'), join(dir, 'node_modules'))
    return
  }
  console.error(`[ab] ${rev} has other packages or patches: installing them`)
  run(dir, 'npm', ['ci', '--no-audit', '--no-fund'])
}

async function main (): Promise<void> {
  const [rev, roundsArg] = process.argv.slice(2)
  if (rev == null) throw new Error('usage: npm run bench:ab -- <rev> [rounds]')
  const rounds = Number(roundsArg ?? DEFAULT_ROUNDS)
  const only = process.env.BENCH_ONLY ?? '1'
  const base = await mkdtemp(join(tmpdir(), 'peerlink-ab-'))
  run(HERE, 'git', ['worktree', 'add', '--detach', base, rev])
  try {
    await installFor(base, rev)
    for (const dir of [base, HERE]) run(dir, 'npm', ['run', 'build'])
    const sides = Object.entries({ [rev]: base, 'working tree': HERE })
    const figures = new Map<string, Record<string, number[]>>()
    for (let round = 1; round <= rounds; round++) {
      // each side goes first every other round: on 2026-12-04 the second
      // side of every pair was slower at every step of one message, steps
      // the change under test did not touch among them
      for (const [side, dir] of round % 2 === 1 ? sides : [...sides].reverse()) {
        console.error(`[ab] round ${round} of ${rounds}: ${side}`)
        for (const row of await benchOnce(dir, only)) {
          const value = figure(row)
          if (!Number.isFinite(value)) continue
          const name = measureName(row)
          const bySide = figures.get(name) ?? {}
          ;(bySide[side] ??= []).push(value)
          figures.set(name, bySide)
        }
      }
    }
    console.log(`| measure | ${rev}: runs | median | working tree: runs | median | ratio |`)
    console.log('| --- | --- | --- | --- | --- | --- |')
    const show = (v: number): string => v >= 100 ? v.toFixed(0) : v.toPrecision(3)
    for (const [name, bySide] of figures) {
      const a = bySide[rev] ?? []
      const b = bySide['working tree'] ?? []
      if (a.length === 0 || b.length === 0) continue
      const [ma, mb] = [summarize(a).median, summarize(b).median]
      console.log(`| ${name} | ${a.map(show).join(', ')} | ${show(ma)} | ${b.map(show).join(', ')} | ${show(mb)} | ${(mb / ma).toFixed(2)}× |`)
    }
  } finally {
    run(HERE, 'git', ['worktree', 'remove', '--force', base])
    await rm(base, { recursive: true, force: true })
  }
}

await main()
