import { describe, expect, it } from 'vitest'
import { syslogEvent } from './syslog-event'

const ctx = { listener: 'syslog_udp', source: '10.1.2.3', receivedAt: Date.parse('2026-11-22T00:00:00Z') }
const decode = (line: string) => {
  const event = syslogEvent(Buffer.from(line), ctx)
  return { ...event, fields: JSON.parse(event.fields) as Record<string, unknown> }
}

describe('syslogEvent', () => {
  it('maps RFC 5424 to ECS and keeps the original', () => {
    const line =
      '<165>1 2026-11-21T10:00:00.5+01:00 fw01 filterlog 4242 ID7 [meta@1 site="north"] blocked 10.0.0.9'
    const event = decode(line)
    expect(event).toMatchObject({
      ts: Date.parse('2026-11-21T09:00:00.5Z'),
      host: 'fw01',
      severity: 'notice',
      message: 'blocked 10.0.0.9',
    })
    expect(event.fields).toMatchObject({
      'event.original': line,
      'log.syslog.priority': 165,
      'log.syslog.facility.name': 'local4',
      'log.syslog.severity.name': 'notice',
      'process.name': 'filterlog',
      'process.pid': 4242,
      'log.syslog.msgid': 'ID7',
      'log.syslog.structured_data': { 'meta@1': { site: 'north' } },
    })
  })

  it('drops the LF that rsyslog templates end with, as rsyslog does on reception', () => {
    const event = decode('<13>1 2026-11-21T10:00:00Z fw01 app - - - last line\r\n')
    expect(event.message).toBe('last line')
    expect(event.fields['event.original']).toBe('<13>1 2026-11-21T10:00:00Z fw01 app - - - last line')
    expect(decode('<13>1 2026-11-21T10:00:00Z fw01 app - - - two\nlines').message).toBe('two\nlines')
  })

  it('maps CEF extensions to ECS beside their native names', () => {
    const event = decode(
      '<134>Nov 21 10:00:00 arcsight CEF:0|Trend|Deep Security|20|1001|Malware found|8|src=10.0.0.5 spt=4433 suser=alice act=blocked msg=EICAR test',
    )
    expect(event.fields).toMatchObject({
      src: '10.0.0.5',
      'source.ip': '10.0.0.5',
      'source.port': 4433,
      'source.user.name': 'alice',
      'event.action': 'blocked',
      'observer.vendor': 'Trend',
      'observer.product': 'Deep Security',
      'event.code': '1001',
      message: 'EICAR test',
      cef: { name: 'Malware found', severity: '8' },
    })
    expect(event.severity).toBe('cef:8')
    expect(event.host).toBe('arcsight')
  })

  it('keeps what no parser understands as a raw event, with the reason', () => {
    const event = decode('hello from a device with no syslog header')
    expect(event.message).toBe('hello from a device with no syslog header')
    expect(event.ts).toBe(ctx.receivedAt)
    expect(event.fields).toMatchObject({
      'event.original': 'hello from a device with no syslog header',
      'outpost.parse_error': expect.stringMatching(/unrecognized format/) as string,
    })
  })

  it('keeps a message that is not UTF-8, with its exact bytes and where it breaks', () => {
    const latin1 = Buffer.concat([
      Buffer.from('<13>Nov 22 10:00:00 box app: caf'),
      Buffer.from([0xe9]),
      Buffer.from(' au lait'),
    ])
    const event = syslogEvent(latin1, ctx)
    const fields = JSON.parse(event.fields) as Record<string, unknown>
    expect(event.message).toBe('caf\ufffd au lait')
    expect(fields['process.name']).toBe('app') // still parsed
    expect(fields['outpost.encoding_error']).toMatch(/^invalid UTF-8: byte 0xe9 at offset 32;/)
    expect(Buffer.from(fields['event.original_base64'] as string, 'base64')).toEqual(latin1)
  })
})
