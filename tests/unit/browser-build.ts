import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build, type Plugin } from 'vite'

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
