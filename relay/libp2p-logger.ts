/**
 * libp2p's debug logging for the relay. libp2p makes a logger for every
 * connection, upgrade and stream (three `debug` instances each, with their
 * own closures and option objects), even when nothing is enabled: in a heap
 * snapshot at 500 reservations they were about 11 KB of every connection's
 * memory. With DEBUG unset, which is how a relay runs, no libp2p line can be
 * printed, so every component shares one silent logger instead. With DEBUG
 * set, libp2p makes its own loggers as before and prints what DEBUG selects.
 */
import type { ComponentLogger, Logger } from '@libp2p/interface'

function silentLogger (): Logger {
  const log = Object.assign((): void => {}, {
    enabled: false,
    error: (): void => {},
    trace: (): void => {},
    newScope: (): Logger => log
  })
  return log
}

/** The `logger` option for createLibp2p: undefined (libp2p's default) when DEBUG asks for output. */
export function relayLibp2pLogger (env: NodeJS.ProcessEnv = process.env): ComponentLogger | undefined {
  if ((env.DEBUG ?? '').trim() !== '') return undefined
  const silent = silentLogger()
  return { forComponent: () => silent }
}
