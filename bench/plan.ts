/**
 * How much each benchmark repeats, and its limits. Sized so that `npm run
 * bench` stays under about 10 minutes on a 2-core machine; BENCH_QUICK=1
 * runs a small version of everything to check the bench itself works.
 */
import { MAX_BATCH } from '../src/lib/state/batch-size.ts'

const quick = process.env.BENCH_QUICK === '1'

export const PLAN = {
  /** cold links, returning-user links, and floor set-ups: each */
  timeToTalkRuns: quick ? 3 : 10,
  /** single messages, one after the other */
  singles: quick ? 20 : 200,
  /** the issue's burst size */
  burst: quick ? 500 : 5_000,
  /** bursts, one after the other: one burst's rate moved by half between runs of the same code */
  bursts: quick ? 1 : 3,
  /** a burst not done by then is reported as far as it got */
  burstLimitMs: quick ? 30_000 : 60_000,
  transport: {
    rtts: quick ? 50 : 500,
    /** round trips each after a quiet spell, as single messages go (each takes idleGapMs) */
    idleRtts: quick ? 10 : 50,
    /**
     * single messages are sent once both pages are idle, as a person's are:
     * the browser's threads have gone to sleep by then, and waking them is
     * part of the trip (over 2 ms here, against under 1 back to back)
     */
    idleGapMs: 200,
    burst: quick ? 500 : 5_000,
    // the app's batch, so the floor writes as the app does
    storeBatch: MAX_BATCH,
    bursts: quick ? 1 : 3,
    /** 32 MiB: long enough to reach steady state on loopback, short enough to repeat */
    bulkBytes: 32 * 1024 * 1024,
    /**
     * each side's transfers alternate, and single ones spread widely here
     * (14 to 27 MB/s within one run on 2026-12-06): five keep the median
     * from resting on one lucky or unlucky transfer of three, for 8 s more
     */
    bulkRuns: quick ? 1 : 5,
    bulkTimeoutMs: 60_000
  },
  /** the issue's target count of reservations */
  reservations: quick ? 200 : 2_000,
  reservationsLimitMs: quick ? 30_000 : 180_000,
  heapConversations: 10,
  heapMessages: quick ? 100 : 1_000
} as const

/** The sections by number and name, as the table and the README call them. */
export const SECTIONS = {
  1: 'time to talk',
  2: 'messages',
  3: 'bulk',
  4: 'relay',
  5: 'weight'
} as const

export type Section = keyof typeof SECTIONS

/**
 * BENCH_ONLY=2,5 (or names: BENCH_ONLY=messages,weight) runs only those
 * sections, so one change can be checked in a minute or two instead of ten.
 * Section 2's floor (the bare data channel) is measured with section 3, so
 * asking for 2 runs the transport floor too.
 */
export function selectedSections (only = process.env.BENCH_ONLY): Set<Section> {
  const all = Object.keys(SECTIONS).map(Number) as Section[]
  if (only == null || only.trim() === '') return new Set(all)
  const picked = new Set<Section>()
  for (const part of only.split(',').map(p => p.trim().toLowerCase()).filter(p => p !== '')) {
    const found = all.find(n => String(n) === part || SECTIONS[n] === part)
    if (found == null) throw new Error(`BENCH_ONLY: unknown section "${part}" (use ${all.map(n => `${n} or ${SECTIONS[n]}`).join(', ')})`)
    picked.add(found)
  }
  return picked
}

/** The whole run stops here, writing what it has. */
export const TOTAL_LIMIT_MS = 12 * 60_000
