/**
 * How much each benchmark repeats, and its limits. Sized so that `npm run
 * bench` stays under about 10 minutes on a 2-core machine; BENCH_QUICK=1
 * runs a small version of everything to check the bench itself works.
 */
const quick = process.env.BENCH_QUICK === '1'

export const PLAN = {
  /** cold links, returning-user links, and floor set-ups: each */
  timeToTalkRuns: quick ? 3 : 10,
  /** single messages, one after the other */
  singles: quick ? 20 : 200,
  /** the burst size */
  burst: quick ? 500 : 5_000,
  /** a burst not done by then is reported as far as it got */
  burstLimitMs: quick ? 30_000 : 60_000,
  transport: {
    rtts: quick ? 50 : 500,
    burst: quick ? 500 : 5_000,
    bursts: quick ? 1 : 3,
    /** 32 MiB: long enough to reach steady state on loopback, short enough to repeat */
    bulkBytes: 32 * 1024 * 1024,
    bulkRuns: quick ? 1 : 3,
    bulkTimeoutMs: 60_000
  },
  /** the target count of reservations */
  reservations: quick ? 200 : 2_000,
  reservationsLimitMs: quick ? 30_000 : 180_000,
  heapConversations: 10,
  heapMessages: quick ? 100 : 1_000
} as const

/** The whole run stops here, writing what it has. */
export const TOTAL_LIMIT_MS = 12 * 60_000
