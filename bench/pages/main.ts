import { bareBulk, bareBurst, bareConnect, bareRtt } from './bare.ts'
import { bareStore } from './bare-store.ts'
import { nodeBulk, nodeDial, nodeRtt, nodeStart } from './node.ts'
import type { BenchApi } from './protocol.ts'

const api: BenchApi = { bareConnect, bareRtt, bareBurst, bareBulk, bareStore, nodeStart, nodeDial, nodeRtt, nodeBulk }
;(globalThis as { peerlinkBench?: BenchApi }).peerlinkBench = api
