/**
 * Prints where each renderer's main thread spent its time in a trace written
 * by BENCH_PROFILE: the top-level tasks' children by event name, per page.
 * `tsx bench/trace-top.ts FILE [N]`.
 */
import { readTrace, type TraceEvent } from './trace-files.ts'

const [file, topArg] = process.argv.slice(2)
if (file == null) throw new Error('usage: tsx bench/trace-top.ts FILE [N]')
const top = Number(topArg ?? 25)
const events = readTrace(file)

const mainThreads = new Set<string>()
const urls = new Map<number, string>()
for (const e of events) {
  if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain') mainThreads.add(`${e.pid}:${e.tid}`)
  const url = e.args?.data?.frames?.[0]?.url ?? e.args?.data?.url
  if (typeof url === 'string' && url.startsWith('http') && !urls.has(e.pid)) urls.set(e.pid, url)
}
// self time of complete events on the main threads, by name: a child's time is taken off its parent
const byThread = new Map<string, Map<string, number>>()
const spans = events.filter(e => e.ph === 'X' && e.dur != null && mainThreads.has(`${e.pid}:${e.tid}`)).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0))
const stacks = new Map<string, TraceEvent[]>()
const selfOf = new Map<TraceEvent, number>()
for (const e of spans) {
  const thread = `${e.pid}:${e.tid}`
  const stack = stacks.get(thread) ?? []
  while (stack.length > 0 && stack[stack.length - 1].ts + (stack[stack.length - 1].dur ?? 0) <= e.ts) stack.pop()
  const parent = stack[stack.length - 1]
  if (parent != null) selfOf.set(parent, (selfOf.get(parent) ?? parent.dur ?? 0) - (e.dur ?? 0))
  selfOf.set(e, selfOf.get(e) ?? e.dur ?? 0)
  stack.push(e)
  stacks.set(thread, stack)
}
for (const [e, self] of selfOf) {
  const thread = `${e.pid}:${e.tid}`
  const m = byThread.get(thread) ?? new Map<string, number>()
  m.set(e.name, (m.get(e.name) ?? 0) + self)
  byThread.set(thread, m)
}
for (const [thread, m] of byThread) {
  const total = [...m.values()].reduce((a, b) => a + b, 0)
  console.log(`\nrenderer ${thread} ${urls.get(Number(thread.split(':')[0])) ?? ''}: ${(total / 1000).toFixed(0)} ms busy`)
  for (const [name, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(1).padStart(9)} ms  ${name}`)
}
