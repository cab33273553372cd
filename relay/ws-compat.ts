/**
 * The @libp2p/websockets dialer uses the global WebSocket, which Node 20 lacks
 * (Node 22 has it); `ws` implements the same browser API. The relay needs it
 * to dial bootstrap relays, and tests to dial the relay.
 *
 * (The listener's missing 'error' handler, which let one malformed frame kill
 * the process, is fixed in patches/@libp2p+websockets+*.patch.)
 */
import { WebSocket } from 'ws'

const scope = globalThis as { WebSocket?: unknown }
scope.WebSocket ??= WebSocket
