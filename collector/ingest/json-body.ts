import { locateJsonError } from './json-error'

/**
 * A JSON ingest body: one object, an array of objects, or NDJSON (one object per line).
 * Each bad item is reported with where it is; the good ones are still taken.
 */
export type BodyItem = Record<string, unknown>
/** `raw` is the offending text (kept as a dead letter), not sent back to the client. */
export type BodyProblem = { item: number; line: number; error: string; raw?: string }
/**
 * `texts[i]`, when set, is item i's JSON exactly as received (an NDJSON line): stored as is, it
 * spares re-serializing every event on the hot path.
 */
export type ParsedBody = {
  items: BodyItem[]
  problems: BodyProblem[]
  texts?: Array<string | undefined>
  /** Where `items[i]` was in the body (item number from 1, line), to point at it when it is refused later. */
  at?: Array<{ item: number; line: number }>
}

const describeJsonError = (text: string, lineOffset = 0): { line: number; error: string } => {
  const at = locateJsonError(text)
  if (!at) return { line: lineOffset + 1, error: 'invalid JSON' }
  const line = lineOffset + at.line
  return { line, error: `invalid JSON at line ${line}, column ${at.column}: ${at.reason}` }
}

const typeName = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value

const isObject = (value: unknown): value is BodyItem =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export const parseJsonBody = (text: string): ParsedBody => {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const trimmed = body.trimStart()
  if (trimmed.length === 0)
    return {
      items: [],
      problems: [
        { item: 0, line: 1, error: 'empty body: send a JSON object, a JSON array of objects, or NDJSON' },
      ],
    }

  if (trimmed.startsWith('[')) {
    let value: unknown
    try {
      value = JSON.parse(body)
    } catch {
      const { line, error: why } = describeJsonError(body)
      return { items: [], problems: [{ item: 0, line, error: why }] }
    }
    const items: BodyItem[] = []
    const at: Array<{ item: number; line: number }> = []
    const problems: BodyProblem[] = []
    ;(value as unknown[]).forEach((entry, index) => {
      if (isObject(entry)) {
        items.push(entry)
        at.push({ item: index + 1, line: 1 })
      } else
        problems.push({
          item: index + 1,
          line: 1,
          error: `array item ${index + 1}: expected a JSON object, got ${typeName(entry)}`,
        })
    })
    return { items, problems, at }
  }

  // One object (possibly pretty-printed over many lines) or NDJSON: try the whole first.
  try {
    const value: unknown = JSON.parse(body)
    if (isObject(value)) return { items: [value], problems: [], at: [{ item: 1, line: 1 }] }
    return {
      items: [],
      problems: [{ item: 1, line: 1, error: `expected a JSON object, got ${typeName(value)}` }],
    }
  } catch {
    // not a single document: read it as NDJSON below
  }
  const items: BodyItem[] = []
  const texts: string[] = []
  const at: Array<{ item: number; line: number }> = []
  const problems: BodyProblem[] = []
  const lines = body.split('\n')
  let item = 0
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.trim().length === 0) return
    item++
    try {
      const value: unknown = JSON.parse(line)
      if (isObject(value)) {
        items.push(value)
        texts.push(line)
        at.push({ item, line: index + 1 })
      } else
        problems.push({
          item,
          line: index + 1,
          error: `line ${index + 1}: expected a JSON object, got ${typeName(value)}`,
        })
    } catch {
      problems.push({ item, ...describeJsonError(line, index) })
    }
  })
  return { items, problems, texts, at }
}
