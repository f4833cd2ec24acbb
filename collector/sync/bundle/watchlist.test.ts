import { describe, expect, it } from 'vitest'
import { parseWatchlist } from './watchlist'

describe('parseWatchlist', () => {
  it('reads CSV with quoted cells, comments, aliases and duplicates folded', () => {
    const csv = [
      'Type,Value,Source,Valid_Until',
      '# from the morning brief',
      'ipv4,203.0.113.7,"CERT, national",2027-01-01',
      'IPV6,2001:DB8::1,,',
      'domain,Evil.Example.COM,,',
      'url,http://evil.example.com/a?b=1,,',
      'cidr,10.0.0.0/8,,',
      `sha256,${'A'.repeat(64)},,`,
      'ip,203.0.113.7,dup,',
      '',
    ].join('\r\n')
    expect(parseWatchlist(csv, 'iocs.csv')).toEqual([
      { type: 'ip', value: '203.0.113.7', source: 'CERT, national', valid_until: '2027-01-01T00:00:00.000Z' },
      { type: 'ip', value: '2001:db8::1', source: null, valid_until: null },
      { type: 'domain', value: 'evil.example.com', source: null, valid_until: null },
      { type: 'url', value: 'http://evil.example.com/a?b=1', source: null, valid_until: null },
      { type: 'cidr', value: '10.0.0.0/8', source: null, valid_until: null },
      { type: 'sha256', value: 'a'.repeat(64), source: null, valid_until: null },
    ])
  })

  it('reads JSON arrays and {"indicators": [...]}', () => {
    const items = [{ type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e', source: 'vt' }]
    expect(parseWatchlist(JSON.stringify(items), 'a.json')).toEqual([
      { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e', source: 'vt', valid_until: null },
    ])
    expect(parseWatchlist(JSON.stringify({ indicators: items }), 'b.json')).toHaveLength(1)
  })

  it.each([
    ['value,source\n1.2.3.4,x', /iocs: line 1: the CSV header must name the columns type and value/],
    ['type,value\nip,999.1.1.1', /iocs: line 2: "999.1.1.1" is not an IPv4 or IPv6 address/],
    ['type,value\nhash,abc', /iocs: line 2: unknown indicator type "hash"/],
    ['type,value\nsha1,abc', /line 2: "abc" is not 40 hex digits \(sha1; it has 3 characters\)/],
    [
      'type,value,valid_from,valid_until\nip,1.2.3.4,2027-01-01,2026-01-01',
      /line 2: valid_until \(2026-01-01T00:00:00.000Z\) must be after valid_from \(2027-01-01T00:00:00.000Z\)/,
    ],
    ['type,value,valid_from\nip,1.2.3.4,next week', /line 2: valid_from "next week" is not an ISO-8601 date/],
    ['type,value\ncidr,10.0.0.0/33', /line 2: "10.0.0.0\/33" is not a CIDR range/],
    ['type,value\ndomain,localhost', /line 2: "localhost" is not a domain name/],
    [
      'type,value,level\nip,1.2.3.4,urgent',
      /line 2: level "urgent" is not one of informational, low, medium, high, critical/,
    ],
    ['type,value,valid_until\nip,1.2.3.4,soon', /line 2: valid_until "soon" is not an ISO-8601 date/],
    ['type,value\n', /iocs: no indicators/],
    ['[{"type": "ip"}]', /iocs: indicator 1: needs string "type" and "value" fields/],
    ['{"objects": []}', /expected an array of indicators/],
    ['{nope', /iocs: not JSON/],
  ])('refuses %j naming where', (text, expected) => {
    expect(() => parseWatchlist(text, 'iocs')).toThrow(expected)
  })
})
