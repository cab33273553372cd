import type { Server } from 'node:http'
import { createPublicServer, type HttpInit } from '../relay/http.ts'
import { silentLogger } from '../relay/logger.ts'
import { createUpgradeProxy } from '../relay/upgrade-proxy.ts'

export interface ListeningServer {
  server: Server
  port: number
  /** drops every connection and closes the server */
  close: () => Promise<void>
}

/**
 * The relay's public HTTP server on a free loopback port, for the tests of its
 * HTTP front. What a test does not look at stands empty: no relay info, no
 * health, no metrics, an upgrade proxy that takes 8 per IP and nobody's upgrades.
 */
export async function listenPublicServer (init: Pick<HttpInit, 'staticDir'> & Partial<HttpInit>): Promise<ListeningServer> {
  const server = createPublicServer({
    relayInfo: () => undefined,
    health: () => undefined,
    proxy: createUpgradeProxy({ maxConnectionsPerIp: 8, trustProxy: false }),
    metrics: async () => ({ contentType: 'text/plain', body: '' }),
    log: silentLogger,
    ...init
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    server,
    port: (server.address() as { port: number }).port,
    close: async () => {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
}
