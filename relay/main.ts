// The polyfill must be evaluated before any libp2p module: ESM runs imports in order.
import './polyfill.ts'
import { Buffer } from 'node:buffer'
import { setFlagsFromString } from 'node:v8'
import { ConfigError, parseCli } from './config.ts'
import { BUFFER_POOL_BYTES, HEAP_GROWING_PERCENT, SHUTDOWN_TIMEOUT_MS } from './constants.ts'
import { createLogger } from './logger.ts'
import type { Logger } from './logger.ts'
import { startRelay } from './relay.ts'

/** Exit codes: 2 for a bad command line (like most CLIs), 1 when the relay cannot start. */
const EXIT_USAGE = 2
const EXIT_FAILURE = 1

// process-wide, so set here for the relay process only, not in startRelay (tests share their process)
Buffer.poolSize = BUFFER_POOL_BYTES
// V8 reads it each time it sets the next collection's threshold, so it holds from the first one on;
// here rather than a command-line flag so that every way of running the relay gets it
setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)

async function main (): Promise<void> {
  let cli
  try {
    cli = parseCli(process.argv.slice(2), process.env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    console.error(`peerlink relay: ${err.message}`)
    process.exit(EXIT_USAGE)
  }
  if (cli.kind === 'help') {
    console.log(cli.text)
    return
  }
  const log: Logger = createLogger({ format: cli.config.logFormat, write: line => { process.stderr.write(`${line}\n`) } })

  // a stray rejected promise inside a dependency, reacting to one misbehaving
  // peer, must not take every other user's connection down with it
  process.on('unhandledRejection', (reason) => {
    log.error('unhandled rejection', { err: reason instanceof Error ? reason.stack ?? reason.message : String(reason) })
  })

  let relay
  try {
    relay = await startRelay(cli.config, { log })
  } catch (err) {
    console.error(`peerlink relay: ${(err as Error).message}`)
    process.exit(EXIT_FAILURE)
  }
  console.log(`Peerlink relay ${relay.peerId} ready at ${relay.url}`)
  for (const addr of relay.multiaddrs) console.log(`  ${addr}`)

  let stopping = false
  const shutdown = (signal: string): void => {
    if (stopping) {
      log.warn('stop signal again: exiting now', { signal })
      process.exit(EXIT_FAILURE)
    }
    stopping = true
    log.info('shutting down', { signal })
    setTimeout(() => {
      log.error('shutdown took too long: exiting anyway', { timeoutMs: SHUTDOWN_TIMEOUT_MS })
      process.exit(EXIT_FAILURE)
    }, SHUTDOWN_TIMEOUT_MS).unref()
    relay.stop().then(
      () => { process.exit(0) },
      (err: Error) => {
        log.error('error while stopping', { err })
        process.exit(EXIT_FAILURE)
      }
    )
  }
  process.on('SIGINT', () => { shutdown('SIGINT') })
  process.on('SIGTERM', () => { shutdown('SIGTERM') })
}

main().catch((err: Error) => {
  console.error(`peerlink relay: ${err.stack ?? err.message}`)
  process.exit(EXIT_FAILURE)
})
