import type { DuckDBConnection } from '@duckdb/node-api'
import { ContractError } from '../contract'

/**
 * Table functions the SQL console may call: generators and DuckDB's own catalog. Everything else
 * (read_csv, read_parquet, read_json, read_text, glob, parquet_metadata, sniff_csv…) reads files
 * or other data outside the archive, which the console must not: it runs as the operator's
 * account, and what it returns goes to whoever holds the console.
 */
const TABLE_FUNCTIONS = new Set([
  'range',
  'generate_series',
  'unnest',
  'duckdb_tables',
  'duckdb_columns',
  'duckdb_views',
  'duckdb_types',
  'duckdb_functions',
  'duckdb_schemas',
  'duckdb_keywords',
])
/** Scalar functions that reach outside the archive. */
const SCALAR_DENIED = new Set(['getenv'])
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/
const EXPLAIN = /^\s*EXPLAIN(\s+ANALYZE)?\s+/i

type Node = Record<string, unknown>

const refuse = (why: string): never => {
  throw new ContractError(
    'invalid_request',
    `hunt:sql: ${why}; the SQL console reads the archive only (tables events, metrics)`,
  )
}

const walk = (node: unknown): void => {
  if (Array.isArray(node)) {
    for (const child of node) walk(child)
    return
  }
  if (node === null || typeof node !== 'object') return
  const n = node as Node
  if (n.type === 'TABLE_FUNCTION') {
    const fn = (n.function as Node | undefined)?.function_name
    if (typeof fn !== 'string' || !TABLE_FUNCTIONS.has(fn.toLowerCase()))
      refuse(`${String(fn)}() reads data from outside the archive`)
  }
  if (n.type === 'BASE_TABLE' || n.type === 'SHOW_REF') {
    const name = n.table_name
    // A quoted name that is not an identifier is a replacement scan: FROM 'file.csv'.
    if (typeof name === 'string' && name !== '' && !IDENTIFIER.test(name))
      refuse(`${JSON.stringify(name)} names a file, not a table`)
  }
  if (
    n.class === 'FUNCTION' &&
    typeof n.function_name === 'string' &&
    SCALAR_DENIED.has(n.function_name.toLowerCase())
  )
    refuse(`${n.function_name}() reads outside the archive`)
  for (const value of Object.values(n)) walk(value)
}

/**
 * Refuses a console statement that would read files or call out of the archive, from DuckDB's
 * own parse tree (json_serialize_sql), not from the text. Statements DuckDB cannot serialize
 * (anything but queries) are refused too: the console is read-only.
 */
export const checkConsoleSql = async (connection: DuckDBConnection, sql: string): Promise<void> => {
  const query = sql.replace(EXPLAIN, '')
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [query])
  const text = reader.getRowObjectsJS()[0]?.tree
  const tree = JSON.parse(typeof text === 'string' ? text : '{}') as {
    error?: boolean
    error_message?: string
    statements?: unknown
  }
  if (tree.error)
    refuse(
      `the SQL console is read-only: use SELECT, WITH … SELECT, FROM, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN (${tree.error_message ?? 'DuckDB could not read it'})`,
    )
  walk(tree.statements)
}
