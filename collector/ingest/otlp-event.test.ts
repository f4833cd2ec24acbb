import { describe, expect, it } from 'vitest'
import { mapLogs, nanosToMs } from './otlp-event'

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
})
