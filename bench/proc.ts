/** Reading another process's memory and CPU from /proc (Linux), from outside it. */
import { readFile } from 'node:fs/promises'

/** Kernel clock ticks per second as /proc/<pid>/stat counts them (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100

export interface ProcSample {
  /** ms since epoch */
  at: number
  rssBytes: number
  /** user + system CPU seconds since the process started */
  cpuSeconds: number
}

export async function sampleProcess (pid: number): Promise<ProcSample> {
  const [status, stat] = await Promise.all([
    readFile(`/proc/${pid}/status`, 'utf8'),
    readFile(`/proc/${pid}/stat`, 'utf8')
  ])
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN)
  // the command name in parentheses may contain spaces: count fields after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name
  const ticks = Number(fields[11]) + Number(fields[12])
  return { at: Date.now(), rssBytes: rssKb * 1024, cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND }
}
