import { isCarrier, isDirect, isWebRTC, madeByWebRTC } from '../p2p/connectivity.ts'
import { icePath, peerConnectionOf } from '../p2p/ice-path.ts'
import type { MessengerCounts } from './messenger-types.ts'
import { session } from './session.svelte.ts'
import type { Locator } from '../p2p/locator.ts'
import type { Connection } from '@libp2p/interface'

export interface ConnectionInfo {
  id: string
  peer: string
  direction: string
  /** 'WebRTC' for a direct browser connection (with its state while its path is not up), 'Relayed' for a circuit, else the transport */
  kind: string
  multiplexer: string
  encryption: string
  /** relay limits, when the connection is a circuit through a relay */
  limits: string
  remoteAddr: string
  streams: number
  /** the selected ICE candidate pair of a WebRTC connection, ours first: 'srflx / srflx udp 203.0.113.20:4000' */
  path: string
}

/**
 * What a connection is, as the diagnostics page names it. A connection the
 * WebRTC transport made is WebRTC whatever its path does: while ICE is down,
 * still checking or the connection closing, the state is named beside it,
 * since that is when someone opens this page to find out what is wrong.
 */
export function connectionKind (c: Connection): string {
  if (isDirect(c)) return 'WebRTC'
  if (isWebRTC(c)) return `WebRTC (path ${peerConnectionOf(c)?.connectionState ?? 'unknown'})`
  if (madeByWebRTC(c)) return `WebRTC (${c.status})`
  return isCarrier(c) ? 'Relayed (chat)' : c.limits != null ? 'Relayed' : 'WebSocket'
}

/** How often the diagnostics page reads the node again; cheap, and fast enough to watch changes. */
export const DIAGNOSTICS_REFRESH_MS = 1_000

/**
 * What the diagnostics page counts: the messenger's dials, resends and
 * frames, and the DHT locator's records published (and publications no
 * relay took) and lookups of peers none of our relays reached (and how many found a relay).
 */
export type DeliveryStats = MessengerCounts & Locator['stats']

/** A read-only view of the node for the diagnostics page: who we are connected to, and how. */
class Diagnostics {
  #connections = $state<ConnectionInfo[]>([])
  #addresses = $state<string[]>([])
  #stats = $state<DeliveryStats>({ dials: 0, redials: 0, deadConnections: 0, resends: 0, duplicates: 0, refusedFrames: 0, unreadableFrames: 0, published: 0, publishFailures: 0, lookups: 0, found: 0 })

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
    // getStats() is asynchronous: each read shows what the previous one found
    const paths = new Map<string, string>()
    session.ready().then(({ node, messenger, locator }) => {
      const read = (): void => {
        this.#stats = { ...messenger.counts(), ...locator.stats }
        for (const c of node.getConnections().filter(isDirect)) {
          void icePath(c).then(p => { if (p != null) paths.set(c.id, `${p.local} / ${p.remote} ${p.protocol} ${p.remoteAddress}`) }, () => {})
        }
        this.#addresses = node.getMultiaddrs().map(String)
        this.#connections = node.getConnections().map(c => ({
          id: c.id,
          peer: c.remotePeer.toString(),
          direction: c.direction,
          kind: connectionKind(c),
          multiplexer: c.multiplexer ?? '',
          encryption: c.encryption ?? '',
          limits: c.limits == null ? 'none' : `${c.limits.seconds ?? '∞'} s, ${c.limits.bytes?.toString() ?? '∞'} bytes`,
          remoteAddr: c.remoteAddr.toString(),
          streams: c.streams.length,
          path: paths.get(c.id) ?? ''
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
