/**
 * Answers libp2p pings (/ipfs/ping/1.0.0: echo every byte until the pinger
 * closes) in place of @libp2p/ping's handler, which bounds each stream with
 * AbortSignal.timeout(10 s) and never removes its abort listener. Node keeps
 * a timeout signal that has a listener alive until it fires, so every
 * finished ping stream (its muxer state, listeners and loggers, about 7 KB)
 * stayed in memory for 10 s: with browsers pinging their relay every few
 * seconds, one dead stream per connected browser at all times. Here the
 * timer is cleared the moment the stream is done. The ping service itself
 * stays: the DHT pings peers with it.
 */
import { InvalidMessageError, TimeoutError } from '@libp2p/interface'
import type { Stream, StreamHandler } from '@libp2p/interface'
import { PING_PROTOCOL, PING_STREAM_MAX_BYTES, PING_STREAM_TIMEOUT_MS } from './constants.ts'

/** One inbound ping stream, echoed until the pinger closes it or the time is up. */
export async function answerPing (stream: Stream): Promise<void> {
  const timer = setTimeout(() => { stream.abort(new TimeoutError('ping stream open too long')) }, PING_STREAM_TIMEOUT_MS)
  let echoed = 0
  try {
    for await (const chunk of stream) {
      if (stream.status !== 'open') break
      echoed += chunk.byteLength
      if (echoed > PING_STREAM_MAX_BYTES) throw new InvalidMessageError('ping stream sent more than pings')
      if (!stream.send(chunk)) await stream.onDrain()
    }
    await stream.close()
  } catch (err) {
    stream.abort(err as Error)
  } finally {
    clearTimeout(timer)
  }
}

/** The registrar: reached through the node's components, as libp2p has no public getter for a handler. */
interface HandlerRegistrar {
  getHandler: (protocol: string) => { handler: StreamHandler, options: Record<string, unknown> }
  handle: (protocol: string, handler: StreamHandler, options: Record<string, unknown>) => Promise<void>
}

/** Puts answerPing in place of the handler the ping service registered, with the same options. */
export async function answerPings (node: unknown): Promise<void> {
  const registrar = (node as { components?: { registrar?: HandlerRegistrar } }).components?.registrar
  if (registrar == null) throw new Error('the libp2p node has no registrar')
  const { options } = registrar.getHandler(PING_PROTOCOL)
  await registrar.handle(PING_PROTOCOL, async (stream) => { await answerPing(stream) }, { ...options, force: true })
}
