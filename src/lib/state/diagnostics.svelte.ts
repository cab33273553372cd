import { isDirect } from '../p2p/connectivity.ts'
import { session } from './session.svelte.ts'

export interface ConnectionInfo {
  id: string
  peer: string
  direction: string
  /** 'WebRTC' for a direct browser connection, 'Relayed' for a circuit, else the transport */
  kind: string
  multiplexer: string
  encryption: string
  /** relay limits, when the connection is a circuit through a relay */
  limits: string
  remoteAddr: string
  streams: number
}

/** How often the diagnostics page reads the node again; cheap, and fast enough to watch changes. */
export const DIAGNOSTICS_REFRESH_MS = 1_000

/** A read-only view of the node for the diagnostics page: who we are connected to, and how. */
export interface DeliveryStats {
  dials: number
  redials: number
  deadConnections: number
  resends: number
}

class Diagnostics {
  #connections = $state<ConnectionInfo[]>([])
  #addresses = $state<string[]>([])
  #stats = $state<DeliveryStats>({ dials: 0, redials: 0, deadConnections: 0, resends: 0 })

  get connections (): ConnectionInfo[] { return this.#connections }
  get addresses (): string[] { return this.#addresses }
  get stats (): DeliveryStats { return this.#stats }

  /** Closes one connection, to see (or test) how the app recovers. */
  async close (id: string): Promise<void> {
    const { node } = await session.ready()
    await node.getConnections().find(c => c.id === id)?.close()
  }

  /** Reads the node now and every DIAGNOSTICS_REFRESH_MS until the returned function is called. */
  watch (): () => void {
    let timer: ReturnType<typeof setInterval> | undefined
    let stopped = false
    session.ready().then(({ node, messenger }) => {
      const read = (): void => {
        this.#stats = { ...messenger.stats, resends: messenger.delivery.resends }
        this.#addresses = node.getMultiaddrs().map(String)
        this.#connections = node.getConnections().map(c => ({
          id: c.id,
          peer: c.remotePeer.toString(),
          direction: c.direction,
          kind: isDirect(c) ? 'WebRTC' : c.limits != null ? 'Relayed' : 'WebSocket',
          multiplexer: c.multiplexer ?? '',
          encryption: c.encryption ?? '',
          limits: c.limits == null ? 'none' : `${c.limits.seconds ?? '∞'} s, ${c.limits.bytes?.toString() ?? '∞'} bytes`,
          remoteAddr: c.remoteAddr.toString(),
          streams: c.streams.length
        }))
      }
      if (stopped) return
      read()
      timer = setInterval(read, DIAGNOSTICS_REFRESH_MS)
    }).catch(() => {})
    return () => {
      stopped = true
      clearInterval(timer)
    }
  }
}

export const diagnostics = new Diagnostics()
