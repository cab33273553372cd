/** One frame at 60 Hz: list updates closer together than this wait for the next frame. */
export const FRAME_MS = 16

/**
 * An update that showed this many new or changed messages means a flood:
 * nobody reads rows at that rate, and each update lays out and reconciles up
 * to a window of rows, work taken from storing and sending them. The next
 * update then waits FLOOD_FRAME_MS instead of a frame. A chat at human pace
 * changes a message or two per update and is never held back.
 */
export const FLOOD_MESSAGES = 50
export const FLOOD_FRAME_MS = 200

/**
 * How to schedule the next list update: 'now' (in this task, before the
 * browser paints), 'frame' (the next animation frame), or a delay in ms.
 * `shownAt` is when the last update was shown and `shownChanges` how many
 * messages it changed.
 */
export function nextUpdate (now: number, shownAt: number, shownChanges: number): 'now' | 'frame' | number {
  const flood = shownChanges >= FLOOD_MESSAGES
  const wait = shownAt + (flood ? FLOOD_FRAME_MS : FRAME_MS) - now
  if (wait <= 0) return 'now'
  return flood ? wait : 'frame'
}
