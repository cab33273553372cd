/**
 * The relay's own log lines: one event per line, with a level and fields, as
 * text for a person at a terminal or as JSON lines for a log collector.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>
export type LogFormat = 'text' | 'json'
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json']

export interface Logger {
  debug: (msg: string, fields?: LogFields) => void
  info: (msg: string, fields?: LogFields) => void
  warn: (msg: string, fields?: LogFields) => void
  error: (msg: string, fields?: LogFields) => void
}

/** What callers may pass: a Logger, or the older `(message) => void` that gets every event as text. */
export type LogSink = Logger | ((message: string) => void)

export interface LoggerInit {
  format: LogFormat
  /** one finished line, without its newline */
  write: (line: string) => void
  /** events below this level are dropped */
  level?: LogLevel
  now?: () => Date
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

function fieldValue (value: unknown): unknown {
  // errors from other realms or libraries are not always instanceof Error
  if (typeof value === 'object' && value != null && typeof (value as { message?: unknown }).message === 'string') {
    const { name, message } = value as { name?: unknown, message: string }
    return typeof name === 'string' && name !== 'Error' && !message.startsWith(name) ? `${name}: ${message}` : message
  }
  if (typeof value === 'bigint') return value.toString()
  return value
}

/** key=value, quoted when the value has spaces, quotes or nothing, so a line splits back unambiguously. */
function textFields (fields: LogFields): string {
  return Object.entries(fields).map(([key, raw]) => {
    const value = fieldValue(raw)
    const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)
    return `${key}=${/^[^\s"=]+$/.test(text) ? text : JSON.stringify(text)}`
  }).join(' ')
}

export function formatLine (format: LogFormat, time: Date, level: LogLevel, msg: string, fields: LogFields = {}): string {
  if (format === 'json') {
    const out: LogFields = { time: time.toISOString(), level, msg }
    // a field of the same name must not hide time, level or msg
    for (const [key, value] of Object.entries(fields)) if (!(key in out)) out[key] = fieldValue(value)
    return JSON.stringify(out)
  }
  const rest = textFields(fields)
  return `${time.toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${rest === '' ? '' : ` ${rest}`}`
}

export function createLogger (init: LoggerInit): Logger {
  const min = RANK[init.level ?? 'info']
  const now = init.now ?? (() => new Date())
  const at = (level: LogLevel) => (msg: string, fields?: LogFields): void => {
    if (RANK[level] < min) return
    init.write(formatLine(init.format, now(), level, msg, fields))
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

export const silentLogger: Logger = { debug () {}, info () {}, warn () {}, error () {} }

/** Wraps an older `(message) => void` sink: each event becomes "msg key=value". */
export function toLogger (sink: LogSink | undefined): Logger {
  if (sink == null) return silentLogger
  if (typeof sink !== 'function') return sink
  const at = (msg: string, fields?: LogFields): void => {
    const rest = fields == null ? '' : textFields(fields)
    sink(rest === '' ? msg : `${msg} ${rest}`)
  }
  return { debug () {}, info: at, warn: at, error: at }
}

/**
 * For events a client can repeat at will (limit hits): true the first time a
 * key is seen in each window. The keys are forgotten window by window, so
 * many clients cannot grow the memory behind it either.
 */
/** Keys remembered per window; past it, new keys stay silent until the next window. */
const MAX_KEYS_PER_WINDOW = 10_000

export function oncePer (windowMs: number, now: () => number = Date.now): (key: string) => boolean {
  let seen = new Set<string>()
  let windowStart = now()
  return (key: string): boolean => {
    if (now() - windowStart >= windowMs) {
      seen = new Set()
      windowStart = now()
    }
    if (seen.has(key) || seen.size >= MAX_KEYS_PER_WINDOW) return false
    seen.add(key)
    return true
  }
}
