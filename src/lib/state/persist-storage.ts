/** Asks the browser not to evict our data under storage pressure (messages exist nowhere else). */
export async function persistStorage (): Promise<void> {
  try {
    if (await navigator.storage?.persisted?.() === false) await navigator.storage.persist()
  } catch {
    // not granted or not supported: the data is still kept, just evictable
  }
}
