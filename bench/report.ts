/** Turns the raw figures into the table rows, each beside its floor and target. */
import { summarize, type Row, type Summary } from './stats.ts'
import { MESSAGE_STEPS, type MessageFigures } from './messages.ts'
import type { LoadResult, LoadStep } from './relay-load.ts'
import type { Phases, TimeToTalk } from './time-to-talk.ts'
import type { TransportFigures } from './transport.ts'
import type { StoreFloor } from './pages/protocol.ts'
import type { Weight } from './weight.ts'

export interface Results {
  timeToTalk?: TimeToTalk
  messages?: MessageFigures
  transport?: TransportFigures
  capacity?: LoadResult
  weight?: Weight
  errors: string[]
}

const KB = 1000
const LAST_COLD = 'first message delivered (UI)'
const LAST_FLOOR = 'first message echoed'

function column (runs: Array<Partial<Phases>>, phase: string): number[] {
  return runs.map(r => r[phase] ?? Number.NaN).filter(Number.isFinite)
}

/** Per run, how long it took from one phase to the next (runs that saw both). */
function stepColumn (runs: Array<Partial<Phases>>, from: string, to: string): number[] {
  return runs.map(r => (r[to] ?? Number.NaN) - (r[from] ?? Number.NaN)).filter(Number.isFinite)
}

function verdict (ok: boolean): 'met' | 'MISSED' {
  return ok ? 'met' : 'MISSED'
}

function ttt (t: TimeToTalk): Row[] {
  const floor = summarize(column(t.floor, LAST_FLOOR))
  const cold = summarize(column(t.cold, LAST_COLD))
  const warm = summarize(column(t.warm, LAST_COLD))
  const floorOpen = summarize(column(t.floor, 'data channel open').map((v, i) => v - (t.floor[i]['script running'] ?? 0)))
  const dial = (runs: Phases[]): Summary => summarize(runs.map(r => r['direct connection (dial returns)'] - r['dial start']))
  return [
    { section: '1 time to talk', what: 'link open → first message delivered, new user', unit: 'ms', value: cold, floor, target: '≤ 1000 median', verdict: verdict(cold.median <= 1000) },
    { section: '1 time to talk', what: 'same, returning user (new tab, profile on disk)', unit: 'ms', value: warm, floor, target: '≤ 600 median', verdict: verdict(warm.median <= 600) },
    { section: '1 time to talk', what: 'same, opened again in the tab the app is open in', unit: 'ms', value: summarize(column(t.sameTab, LAST_COLD)), floor },
    { section: '1 time to talk', what: 'dial start → direct connection, new user', unit: 'ms', value: dial(t.cold), floor: floorOpen },
    { section: '1 time to talk', what: 'dial start → direct connection, returning (new tab)', unit: 'ms', value: dial(t.warm), floor: floorOpen }
  ]
}

function messages (m: MessageFigures, t?: TransportFigures): Row[] {
  const latency = summarize(m.latency)
  // one way on the bare channel is half its round trip
  const floor = t != null ? summarize(t.bareRtt.map(x => x / 2)) : undefined
  const count = m.bursts[0]?.count ?? 0
  // an incomplete burst counts what got through in the time limit
  const rates = summarize(m.bursts.map(b => Math.min(b.rendered, b.delivered) / (b.ms / 1000)))
  const incomplete = m.bursts.filter(b => !b.complete).map(b => Math.min(b.rendered, b.delivered))
  const floorRate = t != null ? summarize(t.bareBurst.map(ms => count / (ms / 1000))) : undefined
  return [
    { section: '2 messages', what: 'send → rendered + stored on the other side', unit: 'ms', value: latency, floor, target: '≤ 5 median', verdict: verdict(latency.median <= 5) },
    { section: '2 messages', what: `burst of ${count}, both sides stored${incomplete.length === 0 ? '' : ` (INCOMPLETE: ${incomplete.join(', ')} in the time limit)`}`, unit: 'msg/s', value: rates, floor: floorRate, target: '≥ 3000', verdict: verdict(rates.median >= 3000) },
    ...(t != null ? [{ section: '2 messages', what: 'libp2p stream round trip (no store, no UI)', unit: 'ms', value: summarize(t.nodeRtt), floor: summarize(t.bareRtt) }] : []),
    // single messages go after a quiet spell, when the trip costs more than back to back
    ...(t != null && t.bareIdleRtt.length > 0
      ? [{ section: '2 messages', what: 'one message vs one way on a bare data channel after a quiet spell', unit: 'ms', value: latency.median, floor: summarize(t.bareIdleRtt.map(x => x / 2)) }]
      : []),
    ...(t?.store != null ? storeFloor(count, t.store, latency.median, rates.median) : []),
    ...(t?.storeBothMs != null
      ? [{ section: '2 messages', what: `burst (median) vs both sides' writes at once on bare IndexedDB (each page its ${count}, in batches)`, unit: 'msg/s', value: rates.median, floor: count / (t.storeBothMs / 1000) }]
      : [])
  ]
}

/**
 * The same figures against what persistence alone costs on this machine:
 * a message is written once on each side (strictly) before it counts, and
 * the sender writes it once more when the receipt comes.
 */
function storeFloor (count: number, store: StoreFloor, latency: number, rate: number): Row[] {
  const twoWrites = summarize(store.singleMs.map(ms => 2 * ms))
  return [
    { section: '2 messages', what: 'one message vs its two strict writes (one per side) on bare IndexedDB', unit: 'ms', value: latency, floor: twoWrites },
    ...(store.singleIdleMs.length > 0
      ? [{ section: '2 messages', what: 'the same, each write after a quiet spell', unit: 'ms', value: latency, floor: summarize(store.singleIdleMs.map(ms => 2 * ms)) }]
      : []),
    { section: '2 messages', what: `burst (median) vs the sender's writes alone (adds, then one state entry per batch) on bare IndexedDB, ${count} in batches`, unit: 'msg/s', value: rate, floor: count / (store.burstMs / 1000) }
  ]
}

function bulk (t: TransportFigures): Row[] {
  const node = summarize(t.nodeBulk)
  const bare = summarize(t.bareBulk)
  return [
    { section: '3 bulk', what: `${t.bulkBytes / 2 ** 20} MiB over one libp2p stream vs one data channel`, unit: 'MB/s', value: node, floor: bare, target: '≥ 0.8× floor', verdict: verdict(node.median >= 0.8 * bare.median) },
    { section: '3 bulk', what: 'warm direct dial (nodes hold reservations)', unit: 'ms', value: t.nodeDial }
  ]
}

function capacity (c: LoadResult): Row[] {
  const last = c.steps[c.steps.length - 1]
  const first = c.steps[0]
  // the slope from the first reservation on: the relay's start-up garbage and
  // its first GCs would otherwise count as (negative) cost per reservation
  // memory against what the relay still held when it was read, not what it granted over the ramp
  const heldLast = last?.live != null ? Math.min(last.reservations, Number.isFinite(last.live.relay) ? last.live.relay : last.live.clients) : last?.reservations ?? 0
  const held = last != null && first != null ? heldLast - first.reservations : 0
  const made = last != null && first != null ? last.reservations - first.reservations : 0
  const perReservation = held > 0 ? (last.relay.rssBytes - first.relay.rssBytes) / held / KB : Number.NaN
  const heldPerReservation = held > 0 && c.afterHolding != null ? (c.afterHolding.rssBytes - first.relay.rssBytes) / (c.reached - first.reservations) / KB : Number.NaN
  const gc = c.collected
  const collectedHeld = gc != null ? gc.last.reservations - gc.first.reservations : 0
  const collectedRss = collectedHeld > 0 ? (gc!.last.relay.rssBytes - gc!.first.relay.rssBytes) / collectedHeld / KB : Number.NaN
  const collectedHeap = collectedHeld > 0 ? (gc!.last.heapUsedBytes - gc!.first.heapUsedBytes) / collectedHeld / KB : Number.NaN
  const cpuMs = made > 0 ? (last.relay.cpuSeconds - first.relay.cpuSeconds) * 1000 / made : Number.NaN
  return [
    { section: '4 relay', what: `reservations still held by one relay process at the end, by its own count (${c.granted ?? c.reached} granted, ${c.failed} failed${c.live != null ? `, ${c.live.clients} clients still listing theirs` : ''}${c.timedOut ? ', time limit hit' : ''})`, unit: 'count', value: c.reached, target: '≥ 2000', verdict: verdict(c.reached >= 2000) },
    { section: '4 relay', what: 'relay RSS per reservation, at the end of the ramp', unit: 'KB', value: perReservation, target: '≤ 150', verdict: verdict(perReservation <= 150) },
    // the verdict stays on the ramp's end, the higher of the two as a rule
    { section: '4 relay', what: `same, after only holding them for ${Math.round((c.idleWindowMs ?? Number.NaN) / 1000)} s`, unit: 'KB', value: heldPerReservation },
    { section: '4 relay', what: 'same, after a forced full GC (the garbage of the moment left out)', unit: 'KB', value: collectedRss },
    { section: '4 relay', what: "relay JS heap per reservation, after a forced full GC", unit: 'KB', value: collectedHeap },
    { section: '4 relay', what: 'relay CPU per reservation made', unit: 'ms', value: cpuMs },
    { section: '4 relay', what: `relay CPU holding ${c.reached} reservations`, unit: '% of a core', value: c.idleCpu * 100 },
    { section: '4 relay', what: `dial through the relay at ${last?.reservations ?? 0} reservations${failedDials(last)}`, unit: 'ms', value: summarize(last?.dialMs ?? []), floor: summarize(first?.dialMs ?? []) }
  ]
}

/** A probe dial that failed is NaN in the list; the summary leaves it out, the row says so, and why (the JSON has every reason). */
function failedDials (step?: Pick<LoadStep, 'dialMs' | 'dialErrors'>): string {
  const dialMs = step?.dialMs ?? []
  const failed = dialMs.filter(ms => !Number.isFinite(ms)).length
  if (failed === 0) return ''
  const why = step?.dialErrors?.[0]
  return ` (${failed} of ${dialMs.length} failed${why != null ? `: ${why.length > FAILURE_SHOWN_CHARS ? `${why.slice(0, FAILURE_SHOWN_CHARS)}…` : why}` : ''})`
}

/** A failure's reason is cut to this in the table, whose rows must stay readable. */
const FAILURE_SHOWN_CHARS = 80

function weight (w: Weight): Row[] {
  const mb = (n: number): number => n / 2 ** 20
  return [
    // the target counts what the first page loads before it can be used: the
    // lazily loaded libp2p chunks are asked for at once, not on a click
    { section: '5 weight', what: 'first-page JS + CSS fetched until usable (relay reservation held, incl. lazy chunks), gzip', unit: 'KB', value: (w.usable.js.gzip + w.usable.css.gzip) / KB, target: '≤ 200', verdict: verdict((w.usable.js.gzip + w.usable.css.gzip) / KB <= 200) },
    { section: '5 weight', what: 'same, JS only, raw / gzip', unit: 'KB', value: w.usable.js.raw / KB, floor: w.usable.js.gzip / KB },
    { section: '5 weight', what: 'first-page JS (modulepreload only), gzip', unit: 'KB', value: w.js.gzip / KB },
    { section: '5 weight', what: 'first-page JS, raw', unit: 'KB', value: w.js.raw / KB },
    { section: '5 weight', what: 'first-page CSS, raw / gzip', unit: 'KB', value: w.css.raw / KB, floor: w.css.gzip / KB },
    { section: '5 weight', what: 'JS fetched to show the home page (incl. lazy chunks)', unit: 'KB', value: w.loadedJs / KB },
    { section: '5 weight', what: 'same, as transferred (compressed)', unit: 'KB', value: w.transferredJs / KB },
    { section: '5 weight', what: 'JS heap: empty app, home', unit: 'MiB', value: mb(w.heap.emptyHome) },
    { section: '5 weight', what: `JS heap: ${w.seeded.conversations} × ${w.seeded.messages / w.seeded.conversations} messages, home`, unit: 'MiB', value: mb(w.heap.seededHome) },
    { section: '5 weight', what: 'same, one conversation open', unit: 'MiB', value: mb(w.heap.seededThread) }
  ]
}

export function rows (r: Results): Row[] {
  return [
    ...(r.timeToTalk != null ? ttt(r.timeToTalk) : []),
    ...(r.messages != null ? messages(r.messages, r.transport) : []),
    ...(r.transport != null ? bulk(r.transport) : []),
    ...(r.capacity != null ? capacity(r.capacity) : []),
    ...(r.weight != null ? weight(r.weight) : [])
  ]
}

/** Median page time of each phase and the median step from the phase before, per kind of run. */
export function phaseTable (t: TimeToTalk): string {
  const lines = ['| run | phase | at, ms since navigation (median) | step from previous (median) |', '| --- | --- | --- | --- |']
  for (const [name, runs] of [['new user', t.cold], ['returning (new tab)', t.warm], ['same tab again', t.sameTab], ['floor (bare WebRTC page)', t.floor]] as const) {
    // in the order they happened: the dial's steps and the composer overlap
    const phases = Object.keys(runs[0] ?? {}).sort((a, b) => summarize(column(runs, a)).median - summarize(column(runs, b)).median)
    let previous: string | undefined
    for (const phase of phases) {
      const at = summarize(column(runs, phase)).median
      const prev = previous
      const step = prev != null ? summarize(stepColumn(runs, prev, phase)).median : at
      lines.push(`| ${name} | ${phase} | ${at.toFixed(0)} | ${step.toFixed(0)} |`)
      if (!phase.includes('overlaps')) previous = phase
    }
  }
  return lines.join('\n')
}

/** One message's way, step by step: the median time after Enter at each step, and of each step. */
export function messageStepTable (m: MessageFigures): string {
  const lines = ['| step | at, ms after Enter (median) | step from previous (median) |', '| --- | --- | --- |']
  let previous: string | undefined
  for (const step of MESSAGE_STEPS) {
    const at = column(m.steps, step)
    if (at.length === 0) continue
    const took = previous == null ? at : stepColumn(m.steps, previous, step)
    lines.push(`| ${step} | ${summarize(at).median.toFixed(2)} | ${summarize(took).median.toFixed(2)} |`)
    previous = step
  }
  return lines.join('\n')
}
