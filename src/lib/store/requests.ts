/**
 * Makes a transaction's requests, in order. One that throws while being made
 * (a full disk) aborts the transaction, and with it the ones made before:
 * their rejections are then reported by that throw, not left unhandled.
 */
export function makeRequests (makers: Array<() => Promise<unknown>>): Array<Promise<unknown>> {
  return makers.map(make => {
    const request = make()
    request.catch(() => {})
    return request
  })
}

/**
 * Waits for a transaction's last requests, letting it commit as soon as they
 * are done instead of after this page has run their success callbacks (a
 * busy page, rendering, would hold every message's commit back that long).
 * The caller makes every request before calling this (makeRequests): one that
 * throws while being made must abort the whole transaction, not commit the others.
 */
export async function lastWrites (tx: { commit?: () => void }, requests: Array<Promise<unknown>>): Promise<void> {
  try {
    tx.commit?.()
  } catch {
    // aborted already (quota, a failed request): the requests report why
  }
  await Promise.all(requests)
}
