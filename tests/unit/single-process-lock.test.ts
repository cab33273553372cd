import { describe, expect, it } from 'vitest'
import { SINGLE_PROCESS_LOCK_CODE } from '../../vite/single-process-lock.ts'

type Release = () => void
interface Lock {
  readLock: (options?: { signal?: AbortSignal }) => Promise<Release>
  writeLock: (options?: { signal?: AbortSignal }) => Promise<Release>
  finalize: () => void
}

// the module the browser build gives the peer store, as it gets it
const { default: mortice } = await import(`data:text/javascript,${encodeURIComponent(SINGLE_PROCESS_LOCK_CODE)}`) as { default: () => Lock }

/** Lets every settled promise's handlers run. */
async function settle (): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

/** Asks for locks in order and records when each is granted. */
function recorder (lock: Lock): { ask: (kind: 'r' | 'w', name: string, signal?: AbortSignal) => Promise<Release>, granted: string[] } {
  const granted: string[] = []
  const ask = async (kind: 'r' | 'w', name: string, signal?: AbortSignal): Promise<Release> => {
    const release = await (kind === 'r' ? lock.readLock({ signal }) : lock.writeLock({ signal }))
    granted.push(name)
    return release
  }
  return { ask, granted }
}

describe("the browser build's peer store lock", () => {
  it('should let readers share it and keep a writer waiting until the last one leaves', async () => {
    const { ask, granted } = recorder(mortice())
    const r1 = ask('r', 'r1')
    const r2 = ask('r', 'r2')
    const w = ask('w', 'w')
    await settle()
    expect(granted).toEqual(['r1', 'r2'])
    ;(await r1)()
    await settle()
    expect(granted).toEqual(['r1', 'r2'])
    ;(await r2)()
    await settle()
    expect(granted).toEqual(['r1', 'r2', 'w'])
    ;(await w)()
  })

  it('should serve waiters in the order they came, so readers that keep coming cannot starve a writer', async () => {
    const { ask, granted } = recorder(mortice())
    const r1 = ask('r', 'r1')
    const w1 = ask('w', 'w1')
    const r2 = ask('r', 'r2')
    const w2 = ask('w', 'w2')
    await settle()
    expect(granted).toEqual(['r1'])
    for (const next of [r1, w1, r2, w2]) {
      ;(await next)()
      await settle()
    }
    expect(granted).toEqual(['r1', 'w1', 'r2', 'w2'])
  })

  it('should give up a wait whose signal aborts with an AbortError, and serve the next waiter', async () => {
    const { ask, granted } = recorder(mortice())
    const w1 = ask('w', 'w1')
    const controller = new AbortController()
    const aborted = ask('w', 'w2', controller.signal)
    const r = ask('r', 'r')
    controller.abort()
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' })
    ;(await w1)()
    await settle()
    expect(granted).toEqual(['w1', 'r'])
    await expect(mortice().readLock({ signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
    ;(await r)()
  })

  it('should take a second release of the same lock as nothing', async () => {
    const lock = mortice()
    const { ask, granted } = recorder(lock)
    const release = await ask('r', 'r1')
    const w = ask('w', 'w')
    const r2 = ask('r', 'r2')
    release()
    release()
    await settle()
    // the writer has it alone: the second release must not have counted r2 in beside it
    expect(granted).toEqual(['r1', 'w'])
    ;(await w)()
    await settle()
    expect(granted).toEqual(['r1', 'w', 'r2'])
    // and a writer now still waits for the reader that holds it
    const w2 = ask('w', 'w2')
    await settle()
    expect(granted).toEqual(['r1', 'w', 'r2'])
    ;(await r2)()
    await settle()
    expect(granted).toEqual(['r1', 'w', 'r2', 'w2'])
    ;(await w2)()
  })
})
