// Runs from the page's <head>, before the app's code has even loaded: asking
// for this origin's list of databases makes the browser open the origin's
// IndexedDB files from disk, which a new tab otherwise waits for when the
// app opens its store (about 200 ms in the benchmark). Nothing is created.
try {
  globalThis.indexedDB?.databases?.().catch(() => {})
} catch {
  // no IndexedDB here: the app's own open reports that
}
