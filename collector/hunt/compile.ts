import type { DuckDBValue } from '@duckdb/node-api'
import { isWild, QuerySyntaxError, type PatternPart, type QueryNode } from './query'
import { parseTimeBound } from './time'

type ColumnType = 'text' | 'number' | 'time'
type Column = { column: string; type: ColumnType }

/**
 * Query field names -> the archive's hot columns (DuckDB migration 3). Looked up
 * case-insensitively; Sigma's (Image), ECS's (process.executable) and our own names all work.
 */
const HOT: Record<string, Column> = {}
const hot = (column: string, type: ColumnType, ...names: string[]): void => {
  for (const name of [column, ...names]) HOT[name.toLowerCase()] = { column, type }
}
hot('seq', 'number')
hot('id', 'text', 'event.id')
hot('ts', 'time', 'timestamp', '@timestamp')
hot('received_at', 'time', 'event.ingested')
hot('listener', 'text')
hot('source', 'text', 'peer')
hot('host', 'text', 'host.name', 'hostname', 'Computer', 'winlog.computer_name')
hot('severity', 'text', 'log.level', 'level')
hot('message', 'text', 'msg')
hot('kind', 'text', 'event.category')
hot('event_code', 'text', 'EventID', 'event_id', 'event.code', 'winlog.event_id')
hot('channel', 'text', 'Channel', 'winlog.channel')
hot('user_name', 'text', 'user', 'User', 'user.name', 'username')
hot('process', 'text', 'Image', 'process.executable', 'exe')
hot('parent_process', 'text', 'ParentImage', 'process.parent.executable')
hot('command_line', 'text', 'CommandLine', 'process.command_line', 'cmdline')
hot('src_ip', 'text', 'source.ip', 'SourceIp')
hot('dst_ip', 'text', 'destination.ip', 'DestinationIp')
hot('dst_port', 'number', 'destination.port', 'DestinationPort')

export const hotColumn = (field: string): Column | undefined => HOT[field.toLowerCase()]

/** Collects positional parameters ($1, $2…): user text only ever travels as one of these. */
export class Params {
  readonly values: DuckDBValue[] = []
  add(value: DuckDBValue): string {
    this.values.push(value)
    return `$${this.values.length}`
  }
}

const SAFE_SEGMENT = /^[\w@-]+$/

/**
 * A JSON field's value as text. The path is a parameter too; segments are checked anyway so a
 * path can never be more than keys. `a.b` tries the flat key "a.b" first, then nested a -> b.
 */
const jsonText = (field: string, params: Params, fn = 'json_extract_string'): string => {
  const segments = field.split('.')
  if (segments.some((s) => !SAFE_SEGMENT.test(s)))
    throw new QuerySyntaxError(0, `expected a field name of letters, digits, _ @ - and dots, not "${field}"`)
  const flat = `${fn}(fields, ${params.add(`$."${field}"`)})`
  if (segments.length === 1) return flat
  return `coalesce(${flat}, ${fn}(fields, ${params.add('$' + segments.map((s) => `."${s}"`).join(''))}))`
}

/** `*` and `?` -> LIKE's `%` and `_`, with LIKE's own specials escaped. */
const likePattern = (pattern: readonly PatternPart[]): string =>
  pattern
    .map((part) =>
      isWild(part) ? (part.wild === '*' ? '%' : '_') : part.replace(/[\\%_]/g, (c) => `\\${c}`),
    )
    .join('')

const isNumber = (text: string): boolean => /^-?\d+(\.\d+)?$/.test(text)

const micros = (ms: number): bigint => BigInt(Math.round(ms)) * 1000n

const timeValue = (text: string, field: string): number => {
  const ms = parseTimeBound(text)
  if (ms === null)
    throw new QuerySyntaxError(0, `expected a time for ${field} (ISO-8601 or -24h), not "${text}"`)
  return ms
}

const compileTerm = (node: Extract<QueryNode, { type: 'term' }>, params: Params): string => {
  if (node.field === null) {
    // Full text over the message and the original JSON.
    const pattern = node.wildcard ? `%${likePattern(node.pattern)}%` : `%${likePattern([node.value])}%`
    const p = params.add(pattern)
    return `(message ILIKE ${p} ESCAPE '\\' OR CAST(fields AS VARCHAR) ILIKE ${p} ESCAPE '\\')`
  }
  const col = hotColumn(node.field)
  if (col?.type === 'number') {
    if (node.wildcard)
      return `CAST(${col.column} AS VARCHAR) LIKE ${params.add(likePattern(node.pattern))} ESCAPE '\\'`
    if (!isNumber(node.value)) return 'FALSE'
    return `${col.column} = ${params.add(Number(node.value))}`
  }
  if (col?.type === 'time') {
    if (/^\d{4}-\d{2}-\d{2}$/.test(node.value)) {
      const day = timeValue(node.value, node.field)
      return `(${col.column} >= make_timestamptz(${params.add(micros(day))}::BIGINT) AND ${col.column} < make_timestamptz(${params.add(micros(day + 86_400_000))}::BIGINT))`
    }
    return `${col.column} = make_timestamptz(${params.add(micros(timeValue(node.value, node.field)))}::BIGINT)`
  }
  const expr = col ? col.column : jsonText(node.field, params)
  if (node.wildcard) return `${expr} ILIKE ${params.add(likePattern(node.pattern))} ESCAPE '\\'`
  return `lower(${expr}) = ${params.add(node.value.toLowerCase())}`
}

const compileRange = (node: Extract<QueryNode, { type: 'range' }>, params: Params): string => {
  const col = hotColumn(node.field)
  const bounds = [node.lo, node.hi].filter((b): b is string => b !== null)
  let expr: string
  let value: (text: string) => string
  if (col?.type === 'time') {
    expr = col.column
    value = (text) => `make_timestamptz(${params.add(micros(timeValue(text, node.field)))}::BIGINT)`
  } else if (col?.type === 'number' || bounds.every(isNumber)) {
    for (const b of bounds)
      if (!isNumber(b)) throw new QuerySyntaxError(0, `expected a number for ${node.field}, not "${b}"`)
    expr =
      col?.type === 'number'
        ? col.column
        : `TRY_CAST(${col ? col.column : jsonText(node.field, params)} AS DOUBLE)`
    value = (text) => params.add(Number(text))
  } else {
    expr = col ? col.column : jsonText(node.field, params)
    value = (text) => params.add(text)
  }
  const parts: string[] = []
  if (node.lo !== null) parts.push(`${expr} ${node.loInclusive ? '>=' : '>'} ${value(node.lo)}`)
  if (node.hi !== null) parts.push(`${expr} ${node.hiInclusive ? '<=' : '<'} ${value(node.hi)}`)
  return parts.length === 0 ? `${expr} IS NOT NULL` : `(${parts.join(' AND ')})`
}

/** A WHERE expression for the archive's `events` table; every value is a parameter. */
export const compileQuery = (node: QueryNode, params: Params): string => {
  switch (node.type) {
    case 'all':
      return 'TRUE'
    case 'and':
      return `(${node.children.map((c) => compileQuery(c, params)).join(' AND ')})`
    case 'or':
      return `(${node.children.map((c) => compileQuery(c, params)).join(' OR ')})`
    case 'not':
      // IS NOT TRUE: `NOT user:bob` keeps events with no user, as Kibana does.
      return `((${compileQuery(node.child, params)}) IS NOT TRUE)`
    case 'exists': {
      const col = hotColumn(node.field)
      return col ? `${col.column} IS NOT NULL` : `${jsonText(node.field, params, 'json_extract')} IS NOT NULL`
    }
    case 'term':
      return compileTerm(node, params)
    case 'range':
      return compileRange(node, params)
  }
}
