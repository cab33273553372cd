/**
 * A forced garbage collection in another Node process, through its inspector
 * (started with --inspect), and its JS heap read after it: memory figures
 * taken right after a ramp count the ramp's garbage too, which varied from run
 * to run by more than the change being measured.
 */
import WebSocket from 'ws'
import { sampleProcess, type ProcSample } from './proc.ts'

/** How long the inspector may take to answer; a full GC of a loaded relay takes well under a second. */
const INSPECTOR_TIMEOUT_MS = 30_000

/** The inspector's address from a process's output ("Debugger listening on ws://..."), if it printed one. */
export function inspectorUrl (output: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1]
}

/** Collects the process's garbage, then returns its JS heap in use, bytes. */
export async function collectGarbage (url: string): Promise<number> {
  const socket = new WebSocket(url)
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => { resolve() })
      socket.once('error', reject)
    })
    let next = 0
    const call = async (method: string): Promise<Record<string, unknown>> => {
      const id = ++next
      const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error(`inspector: no answer to ${method}`)) }, INSPECTOR_TIMEOUT_MS)
        const onMessage = (data: WebSocket.RawData): void => {
          const message = JSON.parse(data.toString()) as { id?: number, result?: Record<string, unknown>, error?: { message: string } }
          if (message.id !== id) return
          clearTimeout(timer)
          socket.off('message', onMessage)
          if (message.error != null) reject(new Error(`inspector: ${method}: ${message.error.message}`))
          else resolve(message.result ?? {})
        }
        socket.on('message', onMessage)
      })
      socket.send(JSON.stringify({ id, method }))
      return await reply
    }
    await call('HeapProfiler.collectGarbage')
    const usage = await call('Runtime.getHeapUsage')
    return Number(usage.usedSize)
  } finally {
    socket.close()
  }
}

export interface Collected {
  reservations: number
  relay: ProcSample
  heapUsedBytes: number
}

/**
 * The relay process `pid` right after a forced full GC, through its inspector
 * (none given: undefined). A GC that fails is no figure, said on stderr: the
 * run's other figures, minutes of ramp, still stand.
 */
export async function collected (inspector: string | undefined, pid: number, reservations: number): Promise<Collected | undefined> {
  if (inspector == null || inspector === '') return undefined
  let heapUsedBytes: number
  try {
    heapUsedBytes = await collectGarbage(inspector)
  } catch (err) {
    console.error(`no figures after a forced GC: ${(err as Error).message}`)
    return undefined
  }
  return { reservations, relay: await sampleProcess(pid), heapUsedBytes }
}
