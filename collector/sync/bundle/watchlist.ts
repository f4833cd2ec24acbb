/** IOC watchlists: parsed from CSV or JSON, each indicator checked, every problem located. */
import { z } from 'zod'
import type { AlertLevel } from '../../contract'
import { checkIndicator, type IndicatorType } from '../../contract/indicators'

export { INDICATOR_TYPES, type IndicatorType } from '../../contract/indicators'

export type Indicator = {
  type: IndicatorType
  value: string
  source: string | null
  /** When it starts to count (absent: from the start). */
  valid_from?: string
  valid_until: string | null
  /** The alert level a match raises (absent: detection.ioc.default_level). */
  level?: AlertLevel
}

const Row = z.object({
  type: z.string(),
  value: z.string(),
  source: z.string().nullish(),
  valid_from: z.string().nullish(),
  valid_until: z.string().nullish(),
  level: z.string().nullish(),
})

export class WatchlistError extends Error {}

export const toIndicator = (row: z.infer<typeof Row>, where: string): Indicator => {
  const checked = checkIndicator(row)
  if (!checked.ok) throw new WatchlistError(`${where}: ${Object.values(checked.errors).join('; ')}`)
  const { valid_from, level, ...indicator } = checked.indicator
  return {
    ...indicator,
    ...(valid_from === null ? {} : { valid_from }),
    ...(level === null ? {} : { level }),
  }
}

const splitCsvLine = (line: string): string[] => {
  const cells: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      cells.push(cell)
      cell = ''
    } else cell += c
  }
  cells.push(cell)
  return cells
}

/**
 * A watchlist file: CSV with a header naming at least `type` and `value` (also `source`,
 * `valid_from`, `valid_until`, `level`), or JSON (an array of such objects, or `{ "indicators": [...] }`).
 */
export const parseWatchlist = (text: string, file: string): Indicator[] => {
  const trimmed = text.trim()
  const seen = new Set<string>()
  const out: Indicator[] = []
  const push = (indicator: Indicator): void => {
    const key = `${indicator.type}\u0000${indicator.value}`
    if (seen.has(key)) return
    seen.add(key)
    out.push(indicator)
  }
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown
    try {
      json = JSON.parse(trimmed)
    } catch (error) {
      throw new WatchlistError(`${file}: not JSON: ${(error as Error).message}`)
    }
    const list = Array.isArray(json) ? json : (json as { indicators?: unknown }).indicators
    if (!Array.isArray(list))
      throw new WatchlistError(`${file}: expected an array of indicators or {"indicators": [...]}`)
    list.forEach((item, i) => {
      const row = Row.safeParse(item)
      if (!row.success)
        throw new WatchlistError(`${file}: indicator ${i + 1}: needs string "type" and "value" fields`)
      push(toIndicator(row.data, `${file}: indicator ${i + 1}`))
    })
  } else {
    const lines = trimmed.split(/\r?\n/)
    const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim().toLowerCase())
    const col = (name: string) => header.indexOf(name)
    if (col('type') < 0 || col('value') < 0)
      throw new WatchlistError(
        `${file}: line 1: the CSV header must name the columns type and value (got ${header.join(',')})`,
      )
    lines.slice(1).forEach((line, i) => {
      if (!line.trim() || line.trimStart().startsWith('#')) return
      const cells = splitCsvLine(line)
      const at = (name: string) => (col(name) >= 0 ? cells[col(name)] : undefined)
      push(
        toIndicator(
          {
            type: at('type') ?? '',
            value: at('value') ?? '',
            source: at('source'),
            valid_from: at('valid_from'),
            valid_until: at('valid_until'),
            level: at('level'),
          },
          `${file}: line ${i + 2}`,
        ),
      )
    })
  }
  if (out.length === 0) throw new WatchlistError(`${file}: no indicators`)
  return out
}
