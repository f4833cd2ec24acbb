import type { MetricKind, MetricPoint } from '../store/duckdb/metrics-store'

/**
 * OTLP logs -> flat ECS-ish records, metrics -> time-series rows, from either encoding: protobuf (decoded to plain
 * objects, ids as bytes, int64 as strings) or OTLP JSON (ids as hex, int64 as string or number).
 * A record that cannot be read is refused on its own with the path to it; the request's envelope
 * being unreadable is the caller's 400.
 */
export type OtlpRecord = Record<string, unknown>
export type OtlpRejected = { path: string; reason: string; raw: unknown }
export type OtlpMapped = { records: OtlpRecord[]; rejected: OtlpRejected[] }

export class OtlpShapeError extends Error {}
class RecordError extends Error {}

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)

/** A repeated field of the envelope: absent is empty, anything but an array is a malformed request. */
const list = (parent: Obj, key: string, path: string): unknown[] => {
  const value = parent[key]
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new OtlpShapeError(`${path}.${key} must be an array`)
  return value
}
const entries = (parent: Obj, key: string, path: string): Obj[] =>
  list(parent, key, path).map((item, i) => {
    if (!isObj(item)) throw new OtlpShapeError(`${path}.${key}[${i}] must be an object`)
    return item
  })

/** fixed64 nanoseconds (string, number, or protobufjs' {low, high}) -> ms since the epoch; 0 is "unset". */
export const nanosToMs = (value: unknown, what: string): number | null => {
  if (value === undefined || value === null) return null
  let nanos: bigint
  if (typeof value === 'string' && /^\d+$/.test(value)) nanos = BigInt(value)
  else if (typeof value === 'number' && Number.isInteger(value) && value >= 0) nanos = BigInt(value)
  else if (isObj(value) && typeof value.low === 'number' && typeof value.high === 'number')
    nanos = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0)
  else throw new RecordError(`${what} must be unsigned nanoseconds since the epoch, as a string or number`)
  return nanos === 0n ? null : Number(nanos / 1_000_000n)
}

const int64 = (value: unknown, what: string): number => {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value) // beyond 2^53 rounds: fine for logs
  throw new RecordError(`${what} must be an integer, as a string or number`)
}

const double = (value: unknown, what: string): number | null => {
  if (value === undefined || value === null) return null
  if (typeof value === 'number') return value
  // Proto3 JSON spells non-finite doubles as strings.
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return null
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
  throw new RecordError(`${what} must be a number`)
}

/** trace/span ids: bytes from protobuf, hex in OTLP JSON; empty or all zero means "none". */
const hexId = (value: unknown, length: number, what: string): string | null => {
  if (value === undefined || value === null || value === '') return null
  let hex: string
  if (value instanceof Uint8Array) {
    if (value.length === 0) return null
    if (value.length !== length) throw new RecordError(`${what} must be ${length} bytes, got ${value.length}`)
    hex = Buffer.from(value).toString('hex')
  } else if (typeof value === 'string' && new RegExp(`^[0-9a-fA-F]{${length * 2}}$`).test(value)) {
    hex = value.toLowerCase()
  } else {
    throw new RecordError(`${what} must be ${length * 2} hex digits (${length} bytes)`)
  }
  return /^0+$/.test(hex) ? null : hex
}

/** AnyValue -> plain JSON: kvlists become objects, bytes base64 (as in OTLP JSON). */
export const anyValue = (value: unknown, what: string): unknown => {
  if (value === undefined || value === null) return null
  if (!isObj(value)) throw new RecordError(`${what} must be an AnyValue object like {"stringValue":"…"}`)
  if ('stringValue' in value) {
    if (typeof value.stringValue !== 'string') throw new RecordError(`${what}.stringValue must be a string`)
    return value.stringValue
  }
  if ('boolValue' in value) return value.boolValue === true
  if ('intValue' in value) return int64(value.intValue, `${what}.intValue`)
  if ('doubleValue' in value) return double(value.doubleValue, `${what}.doubleValue`)
  if ('bytesValue' in value)
    return value.bytesValue instanceof Uint8Array
      ? Buffer.from(value.bytesValue).toString('base64')
      : String(value.bytesValue)
  if ('arrayValue' in value) {
    const values = isObj(value.arrayValue) ? value.arrayValue.values : undefined
    if (values !== undefined && !Array.isArray(values))
      throw new RecordError(`${what}.arrayValue.values must be an array`)
    return (values ?? []).map((item, i) => anyValue(item, `${what}.arrayValue.values[${i}]`))
  }
  if ('kvlistValue' in value) {
    const values = isObj(value.kvlistValue) ? value.kvlistValue.values : undefined
    return keyValues(values, `${what}.kvlistValue.values`)
  }
  return null // an empty AnyValue: the attribute is present without a value
}

export const keyValues = (value: unknown, what: string): Obj => {
  if (value === undefined || value === null) return {}
  if (!Array.isArray(value)) throw new RecordError(`${what} must be an array of {key, value}`)
  const out: Obj = {}
  value.forEach((kv, i) => {
    if (!isObj(kv) || typeof kv.key !== 'string') throw new RecordError(`${what}[${i}] must be {key, value}`)
    out[kv.key] = anyValue(kv.value, `${what}[${i}].value`)
  })
  return out
}

// SeverityNumber ranges (logs data model): 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL.
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const
const severityNumber = (value: unknown): number | null => {
  if (value === undefined || value === null || value === 0) return null
  // Proto3 JSON parsers also accept enum names; some senders use them.
  const named = typeof value === 'string' ? /^SEVERITY_NUMBER_([A-Z]+)(\d?)$/.exec(value) : null
  const rank = named ? LEVELS.indexOf(named[1]!.toLowerCase() as (typeof LEVELS)[number]) : -1
  if (named && rank >= 0) return rank * 4 + Math.max(1, Number(named[2] || 1))
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 24) return value
  throw new RecordError('severityNumber must be an integer from 0 to 24 (SeverityNumber)')
}
export const levelOf = (text: unknown, number: number | null): string | null => {
  if (typeof text === 'string' && text.length > 0) return text.toLowerCase()
  return number === null ? null : LEVELS[Math.floor((number - 1) / 4)]!
}

type Context = { resource: Obj; scope: Obj }

const contextOf = (resource: unknown, scope: unknown, path: string): Context => {
  const res = isObj(resource) ? resource : {}
  const sc = isObj(scope) ? scope : {}
  return {
    resource: keyValues(res.attributes, `${path}.resource.attributes`),
    scope: {
      'otel.scope.name': typeof sc.name === 'string' && sc.name ? sc.name : null,
      'otel.scope.version': typeof sc.version === 'string' && sc.version ? sc.version : null,
    },
  }
}

/** Attributes as their own (already dotted) keys, the resource under resource.*, the usual ones on top. */
const withContext = (attributes: Obj, ctx: Context, own: Obj): OtlpRecord => {
  const record: OtlpRecord = { ...attributes }
  for (const [key, value] of Object.entries(ctx.resource)) record[`resource.${key}`] = value
  for (const key of ['service.name', 'service.namespace', 'service.version', 'host.name'])
    if (ctx.resource[key] !== undefined && record[key] === undefined) record[key] = ctx.resource[key]
  for (const [key, value] of Object.entries(ctx.scope)) if (value !== null) record[key] = value
  for (const [key, value] of Object.entries(own))
    if (value !== null && value !== undefined) record[key] = value
  return record
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

/** Bytes in a refused record's payload kept as hex, so the dead letter reads like the JSON form. */
export const rawJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Uint8Array || (isObj(v) && v.type === 'Buffer' && Array.isArray(v.data))
      ? Buffer.from(v instanceof Uint8Array ? v : (v.data as number[])).toString('hex')
      : v,
  )

export const mapLogs = (request: Obj): OtlpMapped => {
  const records: OtlpRecord[] = []
  const rejected: OtlpRejected[] = []
  entries(request, 'resourceLogs', 'request').forEach((rl, r) => {
    const rPath = `resourceLogs[${r}]`
    entries(rl, 'scopeLogs', rPath).forEach((sl, s) => {
      const sPath = `${rPath}.scopeLogs[${s}]`
      let ctx: Context
      const logRecords = entries(sl, 'logRecords', sPath)
      try {
        ctx = contextOf(rl.resource, sl.scope, rPath)
      } catch (error) {
        if (!(error instanceof RecordError)) throw error
        for (const [i, lr] of logRecords.entries())
          rejected.push({ path: `${sPath}.logRecords[${i}]`, reason: error.message, raw: lr })
        return
      }
      logRecords.forEach((lr, i) => {
        const path = `${sPath}.logRecords[${i}]`
        try {
          records.push(logRecord(lr, ctx))
        } catch (error) {
          if (!(error instanceof RecordError)) throw error
          rejected.push({ path, reason: error.message, raw: lr })
        }
      })
    })
  })
  return { records, rejected }
}

const logRecord = (lr: Obj, ctx: Context): OtlpRecord => {
  const time = nanosToMs(lr.timeUnixNano, 'timeUnixNano')
  const observed = nanosToMs(lr.observedTimeUnixNano, 'observedTimeUnixNano')
  const number = severityNumber(lr.severityNumber)
  const body = anyValue(lr.body, 'body')
  const structured = body !== null && typeof body === 'object'
  return withContext(keyValues(lr.attributes, 'attributes'), ctx, {
    '@timestamp': iso(time ?? observed),
    'event.created': iso(observed),
    message: body === null ? null : typeof body === 'string' ? body : JSON.stringify(body),
    // The structured body itself too, so its fields can be searched without reparsing `message`.
    'otel.body': structured ? body : null,
    'log.level': levelOf(lr.severityText, number),
    'otel.severity_number': number,
    'trace.id': hexId(lr.traceId, 16, 'traceId'),
    'span.id': hexId(lr.spanId, 8, 'spanId'),
    'event.name': typeof lr.eventName === 'string' && lr.eventName ? lr.eventName : null,
  })
}

const METRIC_TYPES = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const
const KINDS: Record<(typeof METRIC_TYPES)[number], MetricKind> = {
  gauge: 'gauge',
  sum: 'sum',
  histogram: 'histogram',
  exponentialHistogram: 'histogram',
  summary: 'summary',
}
const TEMPORALITY = [null, 'delta', 'cumulative'] as const

/** A data point as a metric row; `source` null means "the peer" (the listener knows it). */
export type OtlpMetricPoint = Omit<MetricPoint, 'source' | 'receivedAt'> & { source: string | null }
export type OtlpMetrics = { points: OtlpMetricPoint[]; rejected: OtlpRejected[] }

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)

/**
 * Data points -> metric rows for the DuckDB time series. Gauges and sums keep their value;
 * histograms and summaries become two series, `<name>.count` and `<name>.sum`, the parts every
 * backend can chart (bucket layouts differ per point and are not kept). The series' source is
 * the resource's service.name, else host.name, else the peer.
 */
export const mapMetrics = (request: Obj): OtlpMetrics => {
  const points: OtlpMetricPoint[] = []
  const rejected: OtlpRejected[] = []
  entries(request, 'resourceMetrics', 'request').forEach((rm, r) => {
    const rPath = `resourceMetrics[${r}]`
    entries(rm, 'scopeMetrics', rPath).forEach((sm, s) => {
      const sPath = `${rPath}.scopeMetrics[${s}]`
      entries(sm, 'metrics', sPath).forEach((metric, m) => {
        const mPath = `${sPath}.metrics[${m}]`
        const type = METRIC_TYPES.find((t) => isObj(metric[t]))
        if (!type) return // no data: nothing to store, nothing refused
        const data = metric[type] as Obj
        const dataPoints = entries(data, 'dataPoints', `${mPath}.${type}`)
        let ctx: Context
        try {
          if (typeof metric.name !== 'string' || metric.name === '')
            throw new RecordError('metric name is required')
          ctx = contextOf(rm.resource, sm.scope, rPath)
        } catch (error) {
          if (!(error instanceof RecordError)) throw error
          for (const [i, point] of dataPoints.entries())
            rejected.push({ path: `${mPath}.${type}.dataPoints[${i}]`, reason: error.message, raw: point })
          return
        }
        const named = ['', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE']
        const temporality =
          typeof data.aggregationTemporality === 'number'
            ? data.aggregationTemporality
            : Math.max(0, named.indexOf(String(data.aggregationTemporality)))
        const shared: Shared = {
          name: metric.name,
          kind: KINDS[type],
          unit: text(metric.unit),
          source: text(ctx.resource['service.name']) ?? text(ctx.resource['host.name']),
          temporality: TEMPORALITY[temporality] ?? null,
          scope: ctx.scope['otel.scope.name'] as string | null,
        }
        dataPoints.forEach((point, i) => {
          try {
            points.push(...dataPoint(point, type, shared))
          } catch (error) {
            if (!(error instanceof RecordError)) throw error
            rejected.push({ path: `${mPath}.${type}.dataPoints[${i}]`, reason: error.message, raw: point })
          }
        })
      })
    })
  })
  return { points, rejected }
}

type Shared = {
  name: string
  kind: MetricKind
  unit: string | null
  source: string | null
  temporality: string | null
  scope: string | null
}

const dataPoint = (point: Obj, type: (typeof METRIC_TYPES)[number], shared: Shared): OtlpMetricPoint[] => {
  // A point without a time is stamped on arrival by the caller (ts 0 here means "unset").
  const ts = nanosToMs(point.timeUnixNano, 'timeUnixNano') ?? 0
  nanosToMs(point.startTimeUnixNano, 'startTimeUnixNano') // validated, not kept
  const attributes: Obj = keyValues(point.attributes, 'attributes')
  if (shared.temporality) attributes['otel.temporality'] = shared.temporality
  if (shared.scope) attributes['otel.scope.name'] = shared.scope
  const row = (name: string, value: number | null, unit: string | null): OtlpMetricPoint[] =>
    // NaN/Infinity (spelled as strings in OTLP JSON) cannot be charted: the point is skipped.
    value === null || !Number.isFinite(value)
      ? []
      : [{ ts, source: shared.source, name, kind: shared.kind, value, unit, attributes }]
  if (type === 'gauge' || type === 'sum') {
    const value =
      point.asDouble !== undefined
        ? double(point.asDouble, 'asDouble')
        : point.asInt !== undefined
          ? int64(point.asInt, 'asInt')
          : null
    return row(shared.name, value, shared.unit)
  }
  const count = point.count === undefined ? 0 : int64(point.count, 'count')
  const sum = double(point.sum, 'sum')
  return [...row(`${shared.name}.count`, count, null), ...row(`${shared.name}.sum`, sum, shared.unit)]
}
