import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build, type Plugin } from 'vite'
import { afterAll, beforeAll } from 'vitest'

export interface BrowserBuild<T> {
  /** the built JavaScript, to look for what must or must not be in it */
  code: string
  /** the built module, imported here to run it */
  module: T
  remove: () => Promise<void>
}

/**
 * Builds a test fixture as the app's build treats the libraries it imports
 * for the browser (their browser entry points), with the given plugins, and
 * imports the result: the build plugins in vite/ are judged on real output.
 */
export async function buildForBrowser<T> (fixture: string, plugins: Plugin[]): Promise<BrowserBuild<T>> {
  const outDir = await mkdtemp(join(tmpdir(), 'browser-build-'))
  await build({
    configFile: false,
    logLevel: 'silent',
    plugins,
    resolve: { conditions: ['browser', 'import', 'default'], mainFields: ['browser', 'module', 'main'] },
    build: {
      outDir,
      target: 'es2022',
      minify: false,
      lib: { entry: join(import.meta.dirname, 'fixtures', fixture), formats: ['es'], fileName: 'probe' }
    }
  })
  const file = join(outDir, 'probe.js')
  return {
    code: await readFile(file, 'utf8'),
    module: await import(pathToFileURL(file).href) as T,
    remove: async () => { await rm(outDir, { recursive: true, force: true }) }
  }
}

export interface BuildPair<T> {
  /** built with the plugins */
  trimmed: BrowserBuild<T>
  /** built without them: the library as it is */
  whole: BrowserBuild<T>
}

/**
 * Builds `fixture` for the browser with `plugins` and without them before a
 * test file's tests, and removes both after, so a plugin is judged against
 * the library it trims. The builds are there once the file's tests run.
 */
export function buildsWithAndWithout<T> (fixture: string, plugins: Plugin[], timeoutMs: number): BuildPair<T> {
  const pair = {} as BuildPair<T>
  beforeAll(async () => {
    [pair.trimmed, pair.whole] = await Promise.all([buildForBrowser<T>(fixture, plugins), buildForBrowser<T>(fixture, [])])
  }, timeoutMs)
  afterAll(async () => {
    await Promise.all([pair.trimmed?.remove(), pair.whole?.remove()])
  })
  return pair
}
