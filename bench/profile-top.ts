/**
 * Prints where a .cpuprofile spent its time: self time by function (with its
 * script and line), and total time by script. `tsx bench/profile-top.ts FILE [N]`.
 */
import { functionName, readProfile, scriptName } from './trace-files.ts'

const [file, topArg] = process.argv.slice(2)
if (file == null) throw new Error('usage: tsx bench/profile-top.ts FILE [N]')
const top = Number(topArg ?? 40)
const profile = readProfile(file)
const byId = new Map(profile.nodes.map(n => [n.id, n]))
const self = new Map<number, number>()
profile.samples.forEach((id, i) => { self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)) })

const byFunction = new Map<string, number>()
const byScript = new Map<string, number>()
for (const [id, us] of self) {
  const frame = byId.get(id)!.callFrame
  const script = scriptName(frame)
  const fn = `${functionName(frame)}  ${script}:${frame.lineNumber + 1}`
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
  // native entries ((program), (garbage collector)) have no script: their name stands for one
  const scriptKey = script === '' ? frame.functionName : script
  byScript.set(scriptKey, (byScript.get(scriptKey) ?? 0) + us)
}
const total = (profile.endTime - profile.startTime) / 1000
const print = (title: string, m: Map<string, number>): void => {
  console.log(`\n${title} (of ${total.toFixed(0)} ms)`)
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(1).padStart(9)} ms  ${k}`)
}
print('self time by function', byFunction)
print('self time by script', byScript)
