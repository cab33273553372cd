/**
 * The app's colours, light and dark, against WCAG 2's contrast for text
 * (4.5:1, AA): read from app.css itself, so a colour changed there is
 * checked here.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const CSS = readFileSync(new URL('../../src/lib/ui/app.css', import.meta.url), 'utf8')
/** WCAG 2.x AA for normal-size text; the app's small print (times, states) is normal text too */
const AA_TEXT = 4.5
/** MessageList's `.meta` (time and delivery state) is drawn at this opacity over its bubble */
const META_OPACITY = 0.9

type Rgb = [number, number, number]

/** The custom properties of the first `:root { … }` after `from` in app.css. */
function palette (from: number): Map<string, Rgb> {
  const start = CSS.indexOf(':root {', from)
  const block = CSS.slice(start, CSS.indexOf('}', start))
  const colours = new Map<string, Rgb>()
  for (const [, name, hex] of block.matchAll(/(--[a-z-]+):\s*#([0-9a-f]{6});/g)) {
    colours.set(name, [0, 2, 4].map(i => parseInt(hex.slice(i, i + 2), 16)) as Rgb)
  }
  return colours
}

function luminance (rgb: Rgb): number {
  const [r, g, b] = rgb.map(c => {
    const s = c / 255
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

function contrast (a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

function over (fg: Rgb, bg: Rgb, opacity: number): Rgb {
  return fg.map((c, i) => opacity * c + (1 - opacity) * bg[i]) as Rgb
}

const light = palette(0)
// dark mode overrides some; the rest are the light ones
const dark = new Map([...light, ...palette(CSS.indexOf('prefers-color-scheme: dark'))])

describe('palette: text contrast (WCAG AA)', () => {
  for (const [mode, colours] of [['light', light], ['dark', dark]] as const) {
    const c = (name: string): Rgb => {
      const rgb = colours.get(name)
      if (rgb == null) throw new Error(`app.css has no ${name}`)
      return rgb
    }
    it(`should keep every text colour readable on what it is drawn on, in ${mode} mode`, () => {
      const pairs: Array<[string, Rgb, Rgb]> = [
        ['text on the page', c('--fg'), c('--bg')],
        ['text on a surface', c('--fg'), c('--surface')],
        ['muted text on the page', c('--muted'), c('--bg')],
        ['muted text on a surface (list previews, times)', c('--muted'), c('--surface')],
        ['muted text on the current list entry', c('--muted'), c('--surface-hover')],
        ['own messages, buttons, the unread badge', c('--on-accent'), c('--accent')],
        ['an own message\'s time and state', over(c('--on-accent'), c('--accent'), META_OPACITY), c('--accent')],
        ['an alert', c('--alert-fg'), c('--alert-bg')],
        ['a success line', c('--ok'), c('--bg')]
      ]
      const failing = pairs
        .map(([what, fg, bg]) => ({ what, ratio: Math.round(contrast(fg, bg) * 100) / 100 }))
        .filter(({ ratio }) => ratio < AA_TEXT)
      expect(failing).toEqual([])
    })
  }
})
