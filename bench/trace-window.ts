/**
 * What every thread did between two of the app's marks (src/lib/shared/marks.ts)
 * in a trace written with BENCH_PROFILE and BENCH_TRACE=1, and where the CPU
 * profiles given after it spent that window (the pages' and the relay's:
 * all use the system's monotonic clock, as the trace does).
 * `tsx bench/trace-window.ts TRACE FROM_MARK TO_MARK [PROFILE...]`, marks
 * with or without the `peerlink:` prefix; the window is the last FROM_MARK
 * and the first TO_MARK after it.
 *
 * Why: a phase that takes long may be the page waiting for a peer or the
 * page too busy to read what has arrived; only the threads' busy time in
 * that window tells which.
 */
import { functionName, readProfile, readTrace, scriptName, type TraceEvent } from './trace-files.ts'

/** threads busy for less than this in the window are left out */
const MIN_BUSY_US = 1_000
const TOP_FUNCTIONS = 15

const [traceFile, fromArg, toArg, ...profiles] = process.argv.slice(2)
if (traceFile == null || fromArg == null || toArg == null) throw new Error('usage: tsx bench/trace-window.ts TRACE FROM_MARK TO_MARK [PROFILE...]')
const markName = (m: string): string => m.startsWith('peerlink:') ? m : `peerlink:${m}`
const events = readTrace(traceFile)

const threadNames = new Map<string, string>()
const processNames = new Map<number, string>()
for (const e of events) {
  if (e.ph !== 'M') continue
  if (e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args?.name)
  if (e.name === 'process_name') processNames.set(e.pid, e.args?.name)
}
const marks = events.filter(e => e.cat?.includes('user_timing') === true)
const from = marks.filter(e => e.name === markName(fromArg)).at(-1)
const to = from == null ? undefined : marks.find(e => e.name === markName(toArg) && e.ts > from.ts)
if (from == null || to == null) throw new Error(`no ${fromArg} → ${toArg} window in the trace (was it recorded with user timing?)`)
const [t0, t1] = [from.ts, to.ts]
console.log(`${fromArg} → ${toArg}: ${((t1 - t0) / 1000).toFixed(1)} ms (trace clock ${t0} to ${t1})`)

// a thread's busy time: its outermost complete events, clipped to the window
const busy = new Map<string, number>()
const outerEnd = new Map<string, number>()
const spans = events
  .filter((e): e is TraceEvent & { dur: number } => e.ph === 'X' && e.dur != null && e.ts < t1 && e.ts + e.dur > t0)
  .sort((a, b) => a.ts - b.ts)
for (const e of spans) {
  const thread = `${e.pid}:${e.tid}`
  const end = e.ts + e.dur
  if (e.ts < (outerEnd.get(thread) ?? 0)) continue
  outerEnd.set(thread, end)
  busy.set(thread, (busy.get(thread) ?? 0) + Math.min(end, t1) - Math.max(e.ts, t0))
}
console.log('\nbusy threads:')
for (const [thread, us] of [...busy].sort((a, b) => b[1] - a[1])) {
  if (us < MIN_BUSY_US) continue
  const pid = Number(thread.split(':')[0])
  const mine = pid === from.pid ? '  (the marking page)' : ''
  console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${processNames.get(pid) ?? pid} / ${threadNames.get(thread) ?? thread}${mine}`)
}

for (const file of profiles) {
  const profile = readProfile(file)
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  const self = new Map<string, number>()
  let t = profile.startTime
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0
    if (t < t0 || t > t1) return
    const frame = byId.get(id)!.callFrame
    const where = frame.url === '' ? '' : `  ${scriptName(frame)}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`
    const name = `${functionName(frame)}${where}`
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i + 1] ?? 0))
  })
  console.log(`\n${file}: self time in the window`)
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP_FUNCTIONS)) console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${name}`)
}
