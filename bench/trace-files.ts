/**
 * Reading what BENCH_PROFILE writes, for the scripts that summarise it
 * (profile-top.ts, trace-top.ts, trace-window.ts): Chromium traces and V8
 * CPU profiles, in the shapes those scripts use.
 */
import { readFileSync } from 'node:fs'

export interface TraceEvent { name: string, cat?: string, ph: string, pid: number, tid: number, ts: number, dur?: number, args?: Record<string, any> }

export interface CallFrame { functionName: string, url: string, lineNumber: number, columnNumber: number }
export interface ProfileNode { id: number, callFrame: CallFrame, children?: number[] }
export interface Profile { nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

/** A trace's events, whether saved as a bare array (CDP) or under `traceEvents` (Playwright). */
export function readTrace (file: string): TraceEvent[] {
  return readTraceText(readFileSync(file, 'utf8'))
}

/** The same, from a trace's text (as CDP's Tracing domain streams it). */
export function readTraceText (text: string): TraceEvent[] {
  const raw = JSON.parse(text) as TraceEvent[] | { traceEvents: TraceEvent[] }
  return Array.isArray(raw) ? raw : raw.traceEvents
}

export function readProfile (file: string): Profile {
  return JSON.parse(readFileSync(file, 'utf8')) as Profile
}

/** A function's name as a profile shows it: V8 leaves anonymous functions unnamed. */
export function functionName (frame: CallFrame): string {
  return frame.functionName === '' ? '(anonymous)' : frame.functionName
}

/** The script's file name, without the origin and path. */
export function scriptName (frame: CallFrame): string {
  return frame.url.split('/').pop() ?? frame.url
}
