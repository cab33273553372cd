import type { Plugin } from 'vite'
import { swapImport } from './swap-import.ts'

// libp2p logs through @libp2p/logger, a debug-style logger (weald, and ms to
// print time between lines) that stays silent unless localStorage.debug names
// its namespaces. Nearly every page therefore loads 8 KB of logging code
// (3 KB gzip) that prints nothing. libp2p takes that logger only when it is
// given none (`init.logger ?? defaultLogger()`), so the browser build answers
// libp2p's own import of it with a logger that prints nothing, and
// src/lib/p2p/debug-log.ts hands the node the real one, loaded on demand, when
// localStorage.debug is set: logging still works as the library documents it,
// and only a page that asks for it pays. The relay runs under Node without
// this plugin and keeps the library's logger.

const LIBP2P_CORE = /[\\/]libp2p[\\/]dist[\\/]src[\\/](?:libp2p|components)\.js$/
const LOGGER_MODULE = '@libp2p/logger'

export const SILENT_LOGGER_CODE = [
  'const silent = Object.assign(() => {}, { enabled: false, error: () => {}, trace: () => {} })',
  'silent.newScope = () => silent',
  'export function defaultLogger () { return { forComponent: () => silent } }'
].join('\n')

export function loggerOnDemand (): Plugin {
  return swapImport({
    name: 'peerlink-logger-on-demand',
    importer: LIBP2P_CORE,
    sources: new Set([LOGGER_MODULE]),
    code: SILENT_LOGGER_CODE
  })
}
