import type { DuckDBConnection } from '@duckdb/node-api'
import type { AnalyticsQuery } from './analyzer'

/** BIGINT columns come back as bigint: numbers for the analyzer (counts and epoch ms are safe). */
const plain = (value: unknown): unknown => (typeof value === 'bigint' ? Number(value) : value)

/** The analyzer's query function over one DuckDB connection of the archive. */
export const duckQuery =
  (connection: DuckDBConnection): AnalyticsQuery =>
  async (sql, params) => {
    const reader = await connection.runAndReadAll(sql, [...params])
    return reader
      .getRowObjectsJS()
      .map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, plain(value)])))
  }
