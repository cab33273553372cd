import '../relay/polyfill.ts'
import { writeFile } from 'node:fs/promises'
import { RelayProcess } from '../tests/e2e/relay-process.ts'
import { launch } from './browser.ts'
import { freshContext, marks, openOwner, sendTexts, waitComposer, waitObserved } from './app.ts'

const relay = new RelayProcess()
await relay.start()
const browser = await launch()
const owner = await openOwner(browser, relay.url)
for (let i = 0; i < 3; i++) {
  const ctx = await freshContext(browser, relay.url)
  const page = await ctx.newPage()
  const cdp = await ctx.newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
  await cdp.send('Profiler.start')
  await page.goto(owner.link, { waitUntil: 'commit' })
  await waitComposer(page)
  const sent = await sendTexts(page, ['x'])
  const delivered = await waitObserved(page, 'delivered')
  const { profile } = await cdp.send('Profiler.stop')
  await writeFile(`/tmp/ttt-${i}.cpuprofile`, JSON.stringify(profile))
  console.log(JSON.stringify({ ...(await marks(page)), sent, delivered }))
  await ctx.close()
}
await browser.close(); await relay.dispose()
