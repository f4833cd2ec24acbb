const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/**
 * A time bound as the hunt calls take it: `now`, relative `-24h` / `now-24h` (s m h d w), or
 * ISO-8601. Returns ms since the epoch, or null when the text is none of these.
 */
export const parseTimeBound = (text: string, now = Date.now()): number | null => {
  const trimmed = text.trim()
  if (trimmed === 'now') return now
  const rel = /^(?:now)?([+-])(\d{1,9})([smhdw])$/.exec(trimmed)
  if (rel) {
    const ms = Number(rel[2]) * (UNIT_MS[rel[3] as string] as number)
    return rel[1] === '-' ? now - ms : now + ms
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return null
  const ms = Date.parse(trimmed)
  return Number.isFinite(ms) ? ms : null
}
