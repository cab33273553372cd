/**
 * Prints where a .cpuprofile spent its time: self time by function (with its
 * script and line), and total time by script. `tsx bench/profile-top.ts FILE [N]`.
 */
import { readFileSync } from 'node:fs'

interface Node { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }
interface Profile { nodes: Node[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

const [file, topArg] = process.argv.slice(2)
if (file == null) throw new Error('usage: tsx bench/profile-top.ts FILE [N]')
const top = Number(topArg ?? 40)
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map(n => [n.id, n]))
const self = new Map<number, number>()
profile.samples.forEach((id, i) => { self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)) })

const byFunction = new Map<string, number>()
const byScript = new Map<string, number>()
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame
  const script = url.split('/').pop() ?? url
  const fn = `${functionName === '' ? '(anonymous)' : functionName}  ${script}:${lineNumber + 1}`
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
  byScript.set(script === '' ? functionName : script, (byScript.get(script === '' ? functionName : script) ?? 0) + us)
}
const total = (profile.endTime - profile.startTime) / 1000
const print = (title: string, m: Map<string, number>): void => {
  console.log(`\n${title} (of ${total.toFixed(0)} ms)`)
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(1).padStart(9)} ms  ${k}`)
}
print('self time by function', byFunction)
print('self time by script', byScript)
