import type { Plugin } from 'vite'
import { swapImport } from './swap-import.ts'

// The peer store keeps a read/write lock per peer, from mortice. Mortice is
// built to share its locks between a page and its workers: in a page it opens
// a BroadcastChannel and answers lock requests from any context of the origin,
// and it carries the worker side, its message constants and it-queue glue,
// about 1.5 KB of the first page's JavaScript gzipped. The page asks for every
// lock in one thread (the peer store creates them with singleProcess: true),
// so the browser build gives the peer store a lock of its own: readers share
// it, a writer has it alone, and waiters are served in the order they came,
// so a writer is not starved by readers that keep coming. A wait ends with an
// AbortError when its signal aborts, as mortice's does. The relay runs under
// Node without this plugin and keeps mortice.

const PEER_STORE = /[\\/]@libp2p[\\/]peer-store[\\/]dist[\\/]src[\\/]store\.js$/

export const SINGLE_PROCESS_LOCK_CODE = `
class AbortError extends Error {
  constructor () {
    super('The operation was aborted')
    this.name = 'AbortError'
  }
}

export default function mortice () {
  let readers = 0
  let writing = false
  const waiting = []
  const grant = () => {
    while (waiting.length > 0 && !writing) {
      const next = waiting[0]
      if (next.write && readers > 0) return
      waiting.shift()
      next.start()
    }
  }
  const lock = (write, options) => new Promise((resolve, reject) => {
    const signal = options?.signal
    if (signal?.aborted === true) return reject(new AbortError())
    const onAbort = () => {
      const at = waiting.indexOf(waiter)
      if (at < 0) return
      waiting.splice(at, 1)
      reject(new AbortError())
      grant()
    }
    const waiter = {
      write,
      start () {
        signal?.removeEventListener('abort', onAbort)
        if (write) writing = true
        else readers++
        let released = false
        resolve(() => {
          if (released) return
          released = true
          if (write) writing = false
          else readers--
          grant()
        })
      }
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    waiting.push(waiter)
    grant()
  })
  return {
    readLock: options => lock(false, options),
    writeLock: options => lock(true, options),
    // nothing is registered anywhere: the peer store drops its lock, and that is all
    finalize () {}
  }
}
`

export function singleProcessLock (): Plugin {
  return swapImport({
    name: 'peerlink-single-process-lock',
    importer: PEER_STORE,
    sources: new Set(['mortice']),
    code: SINGLE_PROCESS_LOCK_CODE
  })
}
