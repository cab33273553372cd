import { isDirect, onPathChange } from './connectivity.ts'
import type { PeerlinkNode } from './node.ts'
import type { Connection } from '@libp2p/interface'

/** `up`: the connection opened or its path came up; false: it closed or its path went down. */
export type ConnectionChange = (conn: Connection, up: boolean) => void

/**
 * Tells `onChange` about every connection of the node that opens or closes,
 * and about every change of a WebRTC connection's path while it is open: one
 * may open before ICE says connected, and its path may drop and come back,
 * each change making it (un)usable. Returns the function that stops it all,
 * path listeners included, so a stopped listener hears nothing more.
 */
export function watchConnections (node: PeerlinkNode, onChange: ConnectionChange): () => void {
  /** each open connection's path listener, removed when it closes */
  const paths = new Map<Connection, () => void>()
  const onEvent = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail
    const opened = evt.type === 'connection:open'
    if (opened) {
      paths.set(conn, onPathChange(conn, () => { onChange(conn, isDirect(conn)) }))
    } else {
      paths.get(conn)?.()
      paths.delete(conn)
    }
    onChange(conn, opened)
  }
  node.addEventListener('connection:open', onEvent)
  node.addEventListener('connection:close', onEvent)
  return () => {
    node.removeEventListener('connection:open', onEvent)
    node.removeEventListener('connection:close', onEvent)
    for (const unwatch of paths.values()) unwatch()
    paths.clear()
  }
}
