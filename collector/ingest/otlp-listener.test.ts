import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes, DeadLetter, StoredEvent } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk, storedEventsWith } from '../host/test-core'
import { decodeOtlp, encodeOtlp, otlpTypes } from './otlp-proto'

let core: Core
let dataDir: string
let base: string
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-otlp-'))
  core = await createCore({ dataDir, ephemeralPorts: true })
  base = `http://127.0.0.1:${core.listeners.otlp!.port}`
})
afterAll(async () => {
  await core.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const call = <T>(name: string, req: unknown): Promise<T> => callOk<T>(core, name, req)
const eventsWith = (needle: string): Promise<StoredEvent[]> => storedEventsWith(core, needle)
const post = async (path: string, body: string | Uint8Array, headers: Record<string, string>) => {
  const response = await fetch(base + path, { method: 'POST', body, headers })
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    bytes: new Uint8Array(await response.arrayBuffer()),
  }
}
const PROTOBUF = { 'content-type': 'application/x-protobuf' }
const JSON_TYPE = { 'content-type': 'application/json' }
const json = (bytes: Uint8Array): Record<string, unknown> =>
  JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>

const str = (value: string) => ({ stringValue: value })
const NOW_NANOS = '1763805600123456789' // 2025-11-22T10:00:00.123Z

/**
 * An ExportLogsServiceRequest encoded by hand from opentelemetry-proto, so the field numbers in
 * otlp-proto.ts are checked against the spec rather than against themselves.
 */
const HAND_ENCODED = [
  '0a 6c', //                       resource_logs (1), 108 bytes
  '0a 1c', //                         resource (1), 28 bytes
  '0a 1a', //                           attributes (1), KeyValue 26 bytes
  '0a 0c 736572766963652e6e616d65', //    key (1) "service.name"
  '12 0a 0a 08 636865636b6f7574', //      value (2): AnyValue string_value (1) "checkout"
  '12 4c', //                         scope_logs (2), 76 bytes
  '0a 05 0a 03 617070', //              scope (1): name (1) "app"
  '12 43', //                           log_records (2), LogRecord 67 bytes
  '09 00002a36fe9c9717', //               time_unix_nano (1) fixed64 1700000000000000000
  '10 09', //                             severity_number (2) 9 = INFO
  '1a 04 494e464f', //                    severity_text (3) "INFO"
  '2a 04 0a 02 6869', //                  body (5): string_value (1) "hi"
  '32 07 0a 01 6b 12 02 18 07', //        attributes (6): key "k", value int_value (3) 7
  '4a 10 0102030405060708090a0b0c0d0e0f10', // trace_id (9), 16 bytes
  '52 08 a1a2a3a4a5a6a7a8', //            span_id (10), 8 bytes
  '62 05 6c6f67696e', //                  event_name (12) "login"
]
const handEncoded = Buffer.from(HAND_ENCODED.join('').replace(/\s/g, ''), 'hex')

describe('OTLP/HTTP listener: logs', () => {
  it('decodes a hand-encoded protobuf request with the spec field numbers', async () => {
    expect(handEncoded.length).toBe(0x6c + 2)
    const answer = await post('/v1/logs', handEncoded, PROTOBUF)
    expect([answer.status, answer.type, answer.bytes.length]).toEqual([200, 'application/x-protobuf', 0])
    const [event] = await eventsWith('"message":"hi"')
    expect(event).toMatchObject({
      message: 'hi',
      severity: 'info',
      timestamp: '2023-11-14T22:13:20.000Z',
      listener: 'otlp',
    })
    expect(event!.fields).toEqual({
      '@timestamp': '2023-11-14T22:13:20.000Z',
      message: 'hi',
      'log.level': 'info',
      'otel.severity_number': 9,
      'trace.id': '0102030405060708090a0b0c0d0e0f10',
      'span.id': 'a1a2a3a4a5a6a7a8',
      'event.name': 'login',
      k: 7,
      'resource.service.name': 'checkout',
      'service.name': 'checkout',
      'otel.scope.name': 'app',
    })
  })

  it('takes protobuf encoded by the same types, gzipped, and answers an empty response once stored', async () => {
    const request = {
      resourceLogs: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: str('api') },
              { key: 'host.name', value: str('node-7') },
            ],
          },
          scopeLogs: [
            {
              scope: { name: 'io.opentelemetry.api', version: '1.2.0' },
              logRecords: [
                {
                  timeUnixNano: NOW_NANOS,
                  severityNumber: 17,
                  body: {
                    kvlistValue: {
                      values: [
                        { key: 'msg', value: str('otlp-pb structured') },
                        { key: 'n', value: { intValue: 3 } },
                      ],
                    },
                  },
                  attributes: [
                    { key: 'http.method', value: str('GET') },
                    { key: 'ok', value: { boolValue: false } },
                    { key: 'tags', value: { arrayValue: { values: [str('a'), { doubleValue: 1.5 }] } } },
                  ],
                },
                { observedTimeUnixNano: NOW_NANOS, body: str('otlp-pb observed only') },
              ],
            },
          ],
        },
      ],
    }
    const answer = await post('/v1/logs', gzipSync(encodeOtlp(otlpTypes.logsRequest, request)), {
      ...PROTOBUF,
      'content-encoding': 'gzip',
    })
    expect([answer.status, answer.bytes.length]).toEqual([200, 0])
    const stored = await eventsWith('otlp-pb')
    expect(stored).toHaveLength(2)
    const structured = stored.find((e) => e.message?.includes('structured'))!
    expect(structured).toMatchObject({
      host: 'node-7',
      severity: 'error',
      timestamp: '2025-11-22T10:00:00.123Z',
    })
    expect(structured.message).toBe('{"msg":"otlp-pb structured","n":3}')
    expect(structured.fields).toMatchObject({
      'otel.body': { msg: 'otlp-pb structured', n: 3 },
      'http.method': 'GET',
      ok: false,
      tags: ['a', 1.5],
      'host.name': 'node-7',
      'service.name': 'api',
      'otel.scope.version': '1.2.0',
    })
    expect(stored.find((e) => e.message === 'otlp-pb observed only')?.timestamp).toBe(
      '2025-11-22T10:00:00.123Z',
    )
  })

  it('takes OTLP JSON as the OpenTelemetry JS exporter sends it', async () => {
    const body = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: str('web') }], droppedAttributesCount: 0 },
          scopeLogs: [
            {
              scope: { name: 'default' },
              logRecords: [
                {
                  timeUnixNano: NOW_NANOS,
                  observedTimeUnixNano: NOW_NANOS,
                  severityNumber: 9,
                  severityText: 'INFO',
                  body: str('otlp-json hello'),
                  attributes: [{ key: 'http.status_code', value: { intValue: '200' } }],
                  droppedAttributesCount: 0,
                  flags: 1,
                  traceId: '5B8EFFF798038103D269B633813FC60C',
                  spanId: 'eee19b7ec3c1b174',
                },
              ],
            },
          ],
        },
      ],
    })
    const answer = await post('/v1/logs', body, JSON_TYPE)
    expect([answer.status, answer.type, json(answer.bytes)]).toEqual([200, 'application/json', {}])
    const [event] = await eventsWith('otlp-json hello')
    expect(event?.fields).toMatchObject({
      'trace.id': '5b8efff798038103d269b633813fc60c',
      'span.id': 'eee19b7ec3c1b174',
      'http.status_code': 200,
      'log.level': 'info',
    })
  })

  it('refuses single bad records with partialSuccess, stores the rest, keeps dead letters', async () => {
    const record = (text: string, extra: Record<string, unknown> = {}) => ({ body: str(text), ...extra })
    const body = JSON.stringify({
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                record('otlp-partial good'),
                record('otlp-partial bad id', { traceId: 'xyz' }),
                record('otlp-partial bad time', { timeUnixNano: 'yesterday' }),
              ],
            },
          ],
        },
      ],
    })
    const answer = await post('/v1/logs', body, JSON_TYPE)
    expect(answer.status).toBe(200)
    expect(json(answer.bytes)).toEqual({
      partialSuccess: {
        rejectedLogRecords: '2',
        errorMessage:
          '2 log records refused; first: resourceLogs[0].scopeLogs[0].logRecords[1]: traceId must be 32 hex digits (16 bytes)',
      },
    })
    expect((await eventsWith('otlp-partial')).map((e) => e.message)).toEqual(['otlp-partial good'])
    const { dead_letters } = await call<{ dead_letters: DeadLetter[] }>('collector:dead-letters', {
      limit: 20,
    })
    expect(dead_letters.map((d) => d.reason)).toContain(
      'resourceLogs[0].scopeLogs[0].logRecords[2]: timeUnixNano must be unsigned nanoseconds since the epoch, as a string or number',
    )

    // The same in protobuf: a 3-byte trace id is refused, the response is a protobuf message.
    const pb = encodeOtlp(otlpTypes.logsRequest, {
      resourceLogs: [
        {
          scopeLogs: [
            { logRecords: [record('otlp-partial pb'), { traceId: Buffer.from('abc'), body: str('x') }] },
          ],
        },
      ],
    })
    const pbAnswer = await post('/v1/logs', pb, PROTOBUF)
    expect(pbAnswer.status).toBe(200)
    expect(decodeOtlp(otlpTypes.logsResponse, pbAnswer.bytes)).toEqual({
      partialSuccess: {
        rejectedLogRecords: '1',
        errorMessage: expect.stringMatching(/traceId must be 16 bytes, got 3$/) as string,
      },
    })
  })

  it('answers undecodable input with 400 and a google.rpc.Status in the request encoding', async () => {
    const badJson = await post('/v1/logs', '{"resourceLogs": [}', JSON_TYPE)
    expect(badJson.status).toBe(400)
    expect(json(badJson.bytes)).toEqual({
      code: 3,
      message: expect.stringMatching(
        /^cannot decode OTLP JSON ExportLogsServiceRequest: invalid JSON at line 1, column 19/,
      ) as string,
    })
    expect(json((await post('/v1/logs', '{"resourceLogs": {}}', JSON_TYPE)).bytes).message).toMatch(
      /request\.resourceLogs must be an array/,
    )
    const badPb = await post('/v1/logs', Buffer.from('0affffffff0f', 'hex'), PROTOBUF)
    expect([badPb.status, badPb.type]).toEqual([400, 'application/x-protobuf'])
    expect(decodeOtlp(otlpTypes.status, badPb.bytes)).toMatchObject({
      code: 3,
      message: expect.stringMatching(/^cannot decode OTLP protobuf ExportLogsServiceRequest/) as string,
    })
    expect((await post('/v1/logs', 'hi', { 'content-type': 'text/plain' })).status).toBe(415)
    const traces = await post('/v1/traces', '{}', JSON_TYPE)
    expect(traces.status).toBe(404)
    expect(json(traces.bytes).message).toMatch(/does not collect traces/)
    expect((await fetch(`${base}/v1/logs`)).status).toBe(405)
  })

  it('works with curl, as operators test it', async () => {
    // Async: the collector runs in this process, a blocking spawn would starve it.
    const { stdout } = await promisify(execFile)(
      'curl',
      [
        '-s',
        '-H',
        'Content-Type: application/json',
        '-d',
        '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"otlp-curl hello"}}]}]}]}',
        `${base}/v1/logs`,
      ],
      { encoding: 'utf8', timeout: 5000 },
    )
    expect(JSON.parse(stdout)).toEqual({})
    expect(await eventsWith('otlp-curl hello')).toHaveLength(1)
  })
})

describe('OTLP/HTTP listener: metrics', () => {
  it('stores data points as time series in DuckDB (gauge, sum, histogram and summary count/sum)', async () => {
    const point = { timeUnixNano: NOW_NANOS, startTimeUnixNano: '1763805500000000000' }
    const request = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: str('db') }] },
          scopeMetrics: [
            {
              scope: { name: 'meter' },
              metrics: [
                {
                  name: 'otlp-metric.cpu',
                  unit: '1',
                  gauge: {
                    dataPoints: [{ ...point, asDouble: 0.25, attributes: [{ key: 'cpu', value: str('0') }] }],
                  },
                },
                {
                  name: 'otlp-metric.requests',
                  sum: {
                    dataPoints: [{ ...point, asInt: '42' }],
                    aggregationTemporality: 2,
                    isMonotonic: true,
                  },
                },
                {
                  name: 'otlp-metric.latency',
                  unit: 'ms',
                  histogram: {
                    dataPoints: [
                      { ...point, count: '3', sum: 12.5, bucketCounts: ['1', '2'], explicitBounds: [5] },
                    ],
                    aggregationTemporality: 1,
                  },
                },
                {
                  name: 'otlp-metric.quantiles',
                  summary: {
                    dataPoints: [
                      { ...point, count: '2', sum: 3, quantileValues: [{ quantile: 0.5, value: 1 }] },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    }
    for (const [encoding, body] of [
      ['protobuf', encodeOtlp(otlpTypes.metricsRequest, request)],
      ['json', JSON.stringify(request)],
    ] as const) {
      const answer = await post('/v1/metrics', body, encoding === 'protobuf' ? PROTOBUF : JSON_TYPE)
      expect(answer.status).toBe(200)
    }
    // Metrics are time series in DuckDB now, not events.
    expect(await eventsWith('otlp-metric.')).toHaveLength(0)
    const { sources } = await call<CallRes<'metrics:sources'>>('metrics:sources', {})
    const db = sources.find((s) => s.source === 'db')!
    const series = Object.fromEntries(db.series.map((s) => [s.name, s]))
    const at = Date.parse('2025-11-22T10:00:00.123Z')
    expect(series).toMatchObject({
      'otlp-metric.cpu': { kind: 'gauge', unit: '1', last_value: 0.25, last_ts: at, points: 2 },
      'otlp-metric.requests': { kind: 'sum', unit: null, last_value: 42, points: 2 },
      'otlp-metric.latency.count': { kind: 'histogram', last_value: 3, points: 2 },
      'otlp-metric.latency.sum': { kind: 'histogram', unit: 'ms', last_value: 12.5, points: 2 },
      'otlp-metric.quantiles.count': { kind: 'summary', last_value: 2 },
      'otlp-metric.quantiles.sum': { kind: 'summary', last_value: 3 },
    })
    const { points } = await call<CallRes<'metrics:series'>>('metrics:series', {
      source: 'db',
      name: 'otlp-metric.cpu',
      from: at - 60_000,
      to: at + 60_000,
      buckets: 10,
    })
    expect(points).toHaveLength(1)
    expect(points[0]!.value).toBeCloseTo(0.25)
  })

  it('names the series after host.name, else the peer, when there is no service.name', async () => {
    const gauge = (name: string) => ({ name, gauge: { dataPoints: [{ asDouble: 7 }] } })
    const body = JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'host.name', value: str('otlp-host-7') }] },
          scopeMetrics: [{ metrics: [gauge('otlp-by-host')] }],
        },
        { scopeMetrics: [{ metrics: [gauge('otlp-by-peer')] }] },
      ],
    })
    expect((await post('/v1/metrics', body, JSON_TYPE)).status).toBe(200)
    const { sources } = await call<CallRes<'metrics:sources'>>('metrics:sources', {})
    const owner = (name: string) => sources.find((s) => s.series.some((x) => x.name === name))?.source
    expect(owner('otlp-by-host')).toBe('otlp-host-7')
    expect(owner('otlp-by-peer')).toMatch(/127\.0\.0\.1/)
  })

  it('refuses data points of a metric without a name, in partialSuccess', async () => {
    const body = JSON.stringify({
      resourceMetrics: [
        { scopeMetrics: [{ metrics: [{ gauge: { dataPoints: [{ asDouble: 1 }, { asDouble: 2 }] } }] }] },
      ],
    })
    const answer = await post('/v1/metrics', body, JSON_TYPE)
    expect(json(answer.bytes)).toEqual({
      partialSuccess: {
        rejectedDataPoints: '2',
        errorMessage:
          '2 data points refused; first: resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]: metric name is required',
      },
    })
  })
})
