import { z } from 'zod'
import { describeIssues } from '../contract'
import { MAX_TS_MS, type MetricPoint } from '../store/duckdb/metrics-store'

/** One metric of `POST /v1/metrics` on the http listener. */
const MetricItem = z.strictObject({
  source: z.string().min(1).max(200).optional().describe('defaults to the peer address'),
  name: z.string().min(1).max(200),
  value: z.number().describe('a finite number'),
  type: z.enum(['gauge', 'counter']).default('gauge'),
  unit: z.string().max(50).optional(),
  timestamp: z
    .union([z.string(), z.number().nonnegative()])
    .optional()
    .describe('ISO-8601, or epoch seconds or milliseconds'),
  attributes: z.record(z.string(), z.unknown()).optional(),
})

// Epoch numbers below this are seconds (it is 2001-09-09 in ms, 33658 AD in s).
const SECONDS_BELOW = 1e12

const timestampMs = (value: string | number | undefined, receivedAt: number): number | string => {
  if (value === undefined) return receivedAt
  if (typeof value === 'number') return value < SECONDS_BELOW ? value * 1000 : value
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? `timestamp: not an ISO-8601 date: ${JSON.stringify(value).slice(0, 60)}` : ms
}

/** A body item -> a point, or why not (one line, with the field). */
export const metricPoint = (
  item: Record<string, unknown>,
  peer: string,
  receivedAt: number,
): MetricPoint | string => {
  const parsed = MetricItem.safeParse(item)
  if (!parsed.success) return describeIssues(parsed.error)
  const m = parsed.data
  const ts = timestampMs(m.timestamp, receivedAt)
  if (typeof ts === 'string') return ts
  if (Math.abs(ts) >= MAX_TS_MS) return `timestamp: out of range: ${String(m.timestamp)}`
  return {
    ts,
    source: m.source ?? peer,
    name: m.name,
    kind: m.type,
    value: m.value,
    unit: m.unit ?? null,
    attributes: m.attributes ?? {},
    receivedAt,
  }
}
