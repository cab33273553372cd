import { bareBulk, bareBurst, bareConnect, bareRtt } from './bare.ts'
import { bareStore } from './bare-store.ts'
import type { AutoResult, BareApi } from './protocol.ts'

const api: BareApi = { bareConnect, bareRtt, bareBurst, bareBulk, bareStore }
const scope = globalThis as { peerlinkBench?: BareApi, peerlinkAuto?: Promise<AutoResult> }
scope.peerlinkBench = api

// `?signal=<ws url>`: connect as the offering side at once, as the app does
// with a share link, and send a first message; the driver reads the times
const signal = new URL(location.href).searchParams.get('signal')
if (signal != null) {
  scope.peerlinkAuto = (async () => {
    const scriptRunning = performance.now()
    const open = await bareConnect(signal, 'offer')
    await bareRtt(1)
    return { scriptRunning, open, echoed: performance.now() }
  })()
}
