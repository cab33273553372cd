/** Order statistics and the printed table. */

export interface Summary {
  n: number
  median: number
  p90: number
  p99: number
  min: number
  max: number
}

/** Nearest-rank percentile: with few samples p99 is simply the largest one, said plainly. */
export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p / 100 * sorted.length)))
  return sorted[rank - 1]
}

/**
 * The median: the middle sample, or the mean of the two middle ones when the
 * count is even. Nearest rank at 50 would take the lower of the two, which
 * with 10 runs reports the 5th fastest as the median and flatters every
 * time figure (and its verdict against a target).
 */
export function median (sorted: number[]): number {
  const n = sorted.length
  if (n === 0) return Number.NaN
  const mid = Math.floor(n / 2)
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export function summarize (samples: number[]): Summary {
  const sorted = samples.filter(Number.isFinite).sort((a, b) => a - b)
  return {
    n: sorted.length,
    median: median(sorted),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN
  }
}

export interface Row {
  section: string
  what: string
  unit: string
  /** a distribution, or a single figure */
  value: Summary | number
  /** the platform floor measured in the same run, when there is one */
  floor?: Summary | number
  /** the target, in words */
  target?: string
  /** met, missed or blank when no target applies */
  verdict?: 'met' | 'MISSED'
}

function central (v: Summary | number | undefined): number | undefined {
  return typeof v === 'number' ? v : v?.median
}

export function fmt (x: number | undefined): string {
  if (x == null || !Number.isFinite(x)) return '-'
  if (Math.abs(x) >= 100) return x.toFixed(0)
  if (Math.abs(x) >= 10) return x.toFixed(1)
  return x.toFixed(2)
}

function cell (v: Summary | number | undefined): string {
  if (v == null) return '-'
  if (typeof v === 'number') return fmt(v)
  return `${fmt(v.median)} (p90 ${fmt(v.p90)}, p99 ${fmt(v.p99)}, n=${v.n})`
}

/** A Markdown table: it reads in a terminal and pastes into the README as is. */
export function table (rows: Row[]): string {
  const head = ['section', 'measure', 'unit', 'Peerlink: median (p90, p99, n)', 'floor, same run', 'ratio', 'target', '']
  const lines = rows.map(r => {
    const a = central(r.value)
    const b = central(r.floor)
    const ratio = a != null && b != null && b !== 0 ? `${fmt(a / b)}×` : '-'
    return [r.section, r.what, r.unit, cell(r.value), cell(r.floor), ratio, r.target ?? '', r.verdict ?? '']
  })
  const all = [head, head.map(() => '---'), ...lines]
  return all.map(cols => `| ${cols.join(' | ')} |`).join('\n')
}
