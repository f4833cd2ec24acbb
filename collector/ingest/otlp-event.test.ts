import { describe, expect, it } from 'vitest'
import { mapLogs, mapMetrics, nanosToMs } from './otlp-event'

describe('OTLP mapping', () => {
  it.each([
    [9, 'info'],
    ['SEVERITY_NUMBER_WARN', 'warn'],
    ['SEVERITY_NUMBER_ERROR3', 'error'],
    [24, 'fatal'],
    [1, 'trace'],
  ])('severityNumber %j -> log.level %s', (severityNumber, level) => {
    const { records } = mapLogs({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber }] }] }] })
    expect(records[0]!['log.level']).toBe(level)
  })

  it('reads nanoseconds as strings, numbers and protobufjs long bits', () => {
    expect(nanosToMs('1700000000123456789', 't')).toBe(1700000000123)
    // JSON numbers beyond 2^53 arrive rounded; milliseconds survive that.
    expect(nanosToMs(1700000000123456800, 't')).toBe(1700000000123)
    expect(nanosToMs({ low: 0x362a0000, high: 0x17979cfe }, 't')).toBe(1700000000000)
    expect(nanosToMs('0', 't')).toBeNull()
  })

  it('copies service.name and host.name from the resource, attributes keep their own', () => {
    const resource = {
      attributes: [
        { key: 'service.name', value: { stringValue: 'svc' } },
        { key: 'host.name', value: { stringValue: 'from-resource' } },
      ],
    }
    const attributes = [{ key: 'host.name', value: { stringValue: 'from-record' } }]
    const { records } = mapLogs({
      resourceLogs: [{ resource, scopeLogs: [{ logRecords: [{ attributes }] }] }],
    })
    expect(records[0]).toMatchObject({
      'service.name': 'svc',
      'host.name': 'from-record',
      'resource.host.name': 'from-resource',
    })
  })

  it('maps metric data points to rows: values, histogram count/sum, non-finite skipped', () => {
    const { points, rejected } = mapMetrics({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'host.name', value: { stringValue: 'h1' } }] },
          scopeMetrics: [
            {
              metrics: [
                { name: 'up', gauge: { dataPoints: [{ asInt: '1' }, { asDouble: 'NaN' }] } },
                {
                  name: 'sent',
                  unit: 'By',
                  sum: { aggregationTemporality: 1, dataPoints: [{ asDouble: 5, timeUnixNano: '1000000' }] },
                },
                { name: 'lat', unit: 'ms', histogram: { dataPoints: [{ count: '4', sum: 10 }] } },
              ],
            },
          ],
        },
      ],
    })
    expect(rejected).toEqual([])
    expect(points.map((p) => [p.source, p.name, p.kind, p.value, p.unit, p.ts])).toEqual([
      ['h1', 'up', 'gauge', 1, null, 0],
      ['h1', 'sent', 'sum', 5, 'By', 1],
      ['h1', 'lat.count', 'histogram', 4, null, 0],
      ['h1', 'lat.sum', 'histogram', 10, 'ms', 0],
    ])
    expect(points[1]!.attributes).toEqual({ 'otel.temporality': 'delta' })
  })
})
