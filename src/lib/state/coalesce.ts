/**
 * Wraps work that re-reads something from the store (the conversation list,
 * the badge count) so that a burst of change events costs one read, not one
 * per event: the work runs `delayMs` after the first request, never twice at
 * once, and once more afterwards when asked again while it ran. Each read is a
 * transaction that also holds up the writes of arriving messages.
 */
export function coalesced (work: () => Promise<void>, delayMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  let running = false
  let again = false
  const run = async (): Promise<void> => {
    timer = undefined
    running = true
    try {
      await work()
    } catch {
      // the next change asks again; a failed refresh leaves the last good state
    } finally {
      running = false
      if (again) {
        again = false
        request()
      }
    }
  }
  const request = (): void => {
    if (running) {
      again = true
      return
    }
    timer ??= setTimeout(() => { void run() }, delayMs)
  }
  return request
}
