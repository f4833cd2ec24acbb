import { readFileSync, writeFileSync } from 'node:fs'

export type Bounds = { x: number; y: number; width: number; height: number }
export type WindowState = { bounds: Bounds; maximized: boolean }

export const DEFAULT_SIZE = { width: 1440, height: 900 }
export const MIN_SIZE = { width: 960, height: 600 }
/** At least this much of the title bar must be on a screen for the window to be reachable. */
const VISIBLE = 64

const isBounds = (b: unknown): b is Bounds =>
  typeof b === 'object' &&
  b !== null &&
  (['x', 'y', 'width', 'height'] as const).every((k) => Number.isFinite((b as Record<string, unknown>)[k]))

/**
 * The remembered state if it is sane for the displays there are now: a file from another machine,
 * an unplugged monitor or a hand edit must not put the window off-screen or make it tiny.
 * Otherwise (null) the window opens at its default size, centred by the system.
 */
export const validWindowState = (saved: unknown, workAreas: readonly Bounds[]): WindowState | null => {
  if (typeof saved !== 'object' || saved === null) return null
  const { bounds, maximized } = saved as { bounds?: unknown; maximized?: unknown }
  if (!isBounds(bounds)) return null
  const width = Math.max(Math.round(bounds.width), MIN_SIZE.width)
  const height = Math.max(Math.round(bounds.height), MIN_SIZE.height)
  const x = Math.round(bounds.x)
  const y = Math.round(bounds.y)
  const onScreen = workAreas.some(
    (a) =>
      x + width - VISIBLE >= a.x &&
      x + VISIBLE <= a.x + a.width &&
      y >= a.y - VISIBLE / 2 &&
      y + VISIBLE / 2 <= a.y + a.height,
  )
  if (!onScreen) return null
  return { bounds: { x, y, width, height }, maximized: maximized === true }
}

export const readWindowState = (file: string, workAreas: readonly Bounds[]): WindowState | null => {
  try {
    return validWindowState(JSON.parse(readFileSync(file, 'utf8')), workAreas)
  } catch {
    return null // first run or a broken file: defaults
  }
}

export const writeWindowState = (file: string, state: WindowState): void => {
  try {
    writeFileSync(file, JSON.stringify(state), { mode: 0o600 })
  } catch {
    // Not remembered this time; nothing else depends on it.
  }
}
