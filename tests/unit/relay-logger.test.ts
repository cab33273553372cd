import { describe, expect, it } from 'vitest'
import { parseCli } from '../../relay/config.ts'
import { createLogger, formatLine, oncePer, toLogger } from '../../relay/logger.ts'
import type { LogFormat } from '../../relay/logger.ts'
import { relayLibp2pLogger } from '../../relay/libp2p-logger.ts'

const TIME = new Date('2026-01-02T03:04:05.678Z')

function capture (format: LogFormat, level?: 'debug' | 'info' | 'warn' | 'error'): { lines: string[], log: ReturnType<typeof createLogger> } {
  const lines: string[] = []
  return { lines, log: createLogger({ format, level, write: line => { lines.push(line) }, now: () => TIME }) }
}

describe('relay logger', () => {
  it('should write one JSON object per line with time, level, msg and the fields', () => {
    const { lines, log } = capture('json')
    log.warn('reservation refused', { peer: '12D3Koo', status: 'reservation_refused', n: 3 })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^\{"time":"2026-01-02T03:04:05.678Z","level":"warn","msg":"reservation refused",/)
    expect(JSON.parse(lines[0])).toEqual({
      time: '2026-01-02T03:04:05.678Z', level: 'warn', msg: 'reservation refused', peer: '12D3Koo', status: 'reservation_refused', n: 3
    })
  })

  it('should turn errors and bigints into plain values and never let a field hide time, level or msg', () => {
    const typed = Object.assign(new Error('too big'), { name: 'InvalidDataLengthError' })
    const line = JSON.parse(formatLine('json', TIME, 'error', 'boom', { err: new Error('bad frame'), typed, bytes: 5n, msg: 'spoofed', level: 'debug' }))
    expect(line).toMatchObject({ err: 'bad frame', typed: 'InvalidDataLengthError: too big', bytes: '5', msg: 'boom', level: 'error' })
  })

  it('should write text lines a person can read, quoting values with spaces', () => {
    const { lines, log } = capture('text')
    log.info('listening', { addr: '/ip4/127.0.0.1/tcp/9090/ws', note: 'two words' })
    expect(lines).toEqual(['2026-01-02T03:04:05.678Z INFO  listening addr=/ip4/127.0.0.1/tcp/9090/ws note="two words"'])
  })

  it('should drop events below its level', () => {
    const { lines, log } = capture('json', 'warn')
    log.debug('noise')
    log.info('start')
    log.error('failed')
    expect(lines.map(line => JSON.parse(line).msg)).toEqual(['failed'])
  })

  it('should keep the older (message) => void callers working', () => {
    const seen: string[] = []
    const log = toLogger(message => { seen.push(message) })
    log.warn('bootstrap relay not reachable yet', { addr: '/dns4/a/tcp/1/ws' })
    expect(seen).toEqual(['bootstrap relay not reachable yet addr=/dns4/a/tcp/1/ws'])
  })

  it('should take --log-format from the flag or PEERLINK_LOG_FORMAT and refuse anything else', () => {
    const config = (argv: string[], env: Record<string, string> = {}): unknown => {
      const result = parseCli(argv, env)
      return result.kind === 'run' ? result.config.logFormat : undefined
    }
    expect(config([])).toBe('text')
    expect(config([], { PEERLINK_LOG_FORMAT: 'json' })).toBe('json')
    expect(config(['--log-format', 'text'], { PEERLINK_LOG_FORMAT: 'json' })).toBe('text')
    expect(() => parseCli(['--log-format', 'xml'], {})).toThrow(/--log-format must be one of text, json/)
  })

  it('should let a repeated event through once per window', () => {
    let now = 0
    const once = oncePer(60_000, () => now)
    expect([once('per_ip 1.2.3.4'), once('per_ip 1.2.3.4'), once('per_ip 5.6.7.8')]).toEqual([true, false, true])
    now = 60_000
    expect(once('per_ip 1.2.3.4')).toBe(true)
  })
})

describe('relay libp2p logger', () => {
  it('should hand every component one silent logger when DEBUG is unset', () => {
    const logger = relayLibp2pLogger({})
    expect(logger).toBeDefined()
    const a = logger?.forComponent('libp2p:yamux')
    const b = logger?.forComponent('libp2p:connection:inbound:abc')
    expect(a).toBe(b)
    expect(a?.enabled).toBe(false)
    expect(a?.newScope('stream')).toBe(a)
    expect(() => { a?.('x %s', 1); a?.error('y'); a?.trace('z') }).not.toThrow()
  })

  it("should leave logging to libp2p's own loggers when DEBUG is set", () => {
    expect(relayLibp2pLogger({ DEBUG: 'libp2p:*' })).toBeUndefined()
  })
})
