import type { Plugin } from 'vite'

interface Swap {
  /** the plugin's name, as Vite reports it */
  name: string
  /** the one library module whose imports are swapped; the same import from anywhere else is left alone */
  importer: RegExp
  /** the specifiers, as that module writes them, that it gets the replacement for instead */
  sources: ReadonlySet<string>
}

/** The replacement: a module's source, or the path of a module file (its own imports resolve from there). */
export type ImportSwap = Swap & ({ code: string, file?: never } | { file: string, code?: never })

/**
 * A browser-build plugin that gives one library module the replacement in place of some
 * of its imports. It keys on the importing module as well as the specifier, so
 * the swap reaches only the import it was written for (each plugin in vite/
 * says why that import is dead weight in the page). The relay and the tests
 * that run libp2p under Node never see it: it applies to the client build only.
 */
export function swapImport (swap: ImportSwap): Plugin {
  // a virtual module's id: '\0' first keeps other plugins off it
  const id = swap.file ?? `\0${swap.name}`
  return {
    name: swap.name,
    enforce: 'pre',
    apply: (_config, env) => env.command === 'build' && env.isSsrBuild !== true,
    resolveId (source, importer) {
      if (importer == null || !swap.sources.has(source) || !swap.importer.test(importer)) return null
      return id
    },
    load (loaded) {
      // a file is loaded as any other module is
      return swap.code != null && loaded === id ? swap.code : null
    }
  }
}
