import { describe, expect, it } from 'vitest'
import type { CompiledRule, EventRecord } from './compile'
import { createRouter, loadLogsourceMapping, parseLogsourceMapping, type LogsourceMapping } from './logsource'
import type { SigmaLogsource } from './parse'

const loaded = loadLogsourceMapping()
if (!loaded.ok) throw new Error(loaded.errors.join('\n'))
const mapping: LogsourceMapping = loaded.mapping

const rule = (file: string, logsource: SigmaLogsource): CompiledRule => ({
  rule: {
    file,
    line: 1,
    title: file,
    tags: [],
    references: [],
    falsepositives: [],
    fields: [],
    logsource,
    detection: {},
    conditions: [],
    lines: {},
  },
  matches: () => true,
})

const rules = [
  rule('proc', { product: 'windows', category: 'process_creation' }),
  rule('net', { product: 'windows', category: 'network_connection' }),
  rule('reg', { product: 'windows', category: 'registry_event' }),
  rule('regset', { product: 'windows', category: 'registry_set' }),
  rule('script', { product: 'windows', category: 'ps_script' }),
  rule('security', { product: 'windows', service: 'security' }),
  rule('sysmon', { product: 'windows', service: 'sysmon' }),
  rule('windows', { product: 'windows' }),
  rule('fileaccess', { product: 'windows', category: 'file_access' }),
  rule('auditd', { product: 'linux', service: 'auditd' }),
  rule('sshd', { product: 'linux', service: 'sshd' }),
  rule('linuxproc', { product: 'linux', category: 'process_creation' }),
  rule('proxy', { category: 'proxy' }),
  rule('web', { category: 'webserver' }),
  rule('fw', { category: 'firewall' }),
  rule('dns', { category: 'dns' }),
  rule('aws', { product: 'aws', service: 'cloudtrail' }),
]
const router = createRouter(rules, mapping)
const files = (event: EventRecord): string[] =>
  router
    .candidates(event)
    .map((r) => r.rule.file)
    .sort()

const SYSMON = 'Microsoft-Windows-Sysmon/Operational'

describe('logsource routing', () => {
  it.each([
    ['Sysmon 1', { Channel: SYSMON, EventID: 1 }, ['fileaccess', 'proc', 'sysmon', 'windows']],
    ['Sysmon 1 as a string', { Channel: SYSMON, EventID: '1' }, ['fileaccess', 'proc', 'sysmon', 'windows']],
    ['Security 4688', { Channel: 'Security', EventID: 4688 }, ['fileaccess', 'proc', 'security', 'windows']],
    [
      'security 4688, lower case',
      { Channel: 'security', EventID: 4688 },
      ['fileaccess', 'proc', 'security', 'windows'],
    ],
    ['Security 4624', { Channel: 'Security', EventID: 4624 }, ['fileaccess', 'security', 'windows']],
    ['Sysmon 3', { Channel: SYSMON, EventID: 3 }, ['fileaccess', 'net', 'sysmon', 'windows']],
    ['Sysmon 13', { Channel: SYSMON, EventID: 13 }, ['fileaccess', 'reg', 'regset', 'sysmon', 'windows']],
    [
      'PowerShell 4104',
      { Channel: 'Microsoft-Windows-PowerShell/Operational', EventID: 4104 },
      ['fileaccess', 'script', 'windows'],
    ],
    ['auditd record', { type: 'EXECVE', a0: 'arp' }, ['auditd']],
    ['sshd syslog', { 'log.syslog.appname': 'sshd', message: 'x' }, ['sshd']],
    ['Sysmon for Linux 1', { Channel: 'Linux-Sysmon/Operational', EventID: 1 }, ['linuxproc']],
    ['unknown event', { message: 'hello' }, []],
    ['access-log line', { message: 'x', 'cs-method': 'GET', 'sc-status': 200 }, ['web']],
    ['CEF proxy', { 'url.original': 'http://a', 'c-uri': 'http://a' }, ['proxy']],
    ['CEF firewall', { src_ip: '10.0.0.1', dst_ip: '10.0.0.2' }, ['fw']],
    ['auditd process start', { type: 'EXECVE', Image: '/usr/bin/id' }, ['auditd', 'linuxproc']],
  ])('%s', (_name, event, expected) => {
    expect(files(event)).toEqual(expected)
  })

  it('reports unmapped logsources and how they are treated', () => {
    const reported = Object.fromEntries(router.unmapped.map((u) => [u.rules.join(','), u.reason]))
    expect(reported).toEqual({
      fileaccess: "category 'file_access' not mapped: evaluated on every windows event",
      dns: "no product and category 'dns' not mapped: not evaluated",
      aws: "product 'aws' not mapped: not evaluated",
    })
  })

  it('skips unmapped rules when asked', () => {
    const strict = createRouter(rules, mapping, { unmapped: 'skip' })
    expect(strict.candidates({ Channel: SYSMON, EventID: 1 }).map((r) => r.rule.file)).not.toContain(
      'fileaccess',
    )
  })

  it('needs both the category and the service when a rule names both', () => {
    const both = createRouter(
      [rule('both', { product: 'windows', category: 'process_creation', service: 'security' })],
      mapping,
    )
    expect(both.candidates({ Channel: 'Security', EventID: 4688 })).toHaveLength(1)
    expect(both.candidates({ Channel: SYSMON, EventID: 1 })).toHaveLength(0)
  })

  it('refuses a generic section with a product match, and a product named ""', () => {
    expect(parseLogsourceMapping('generic:\n  match: [{a: 1}]\nproducts: {}\n')).toEqual({
      ok: false,
      errors: ['generic.match: generic entries match by their own conditions'],
    })
    expect(parseLogsourceMapping('products:\n  "": {match: [{a: 1}]}\n')).toMatchObject({ ok: false })
  })

  it('reports mapping errors with their path', () => {
    const result = parseLogsourceMapping(
      'products:\n  windows:\n    match: []\n    category:\n      x: [{ a: { b: 1 } }]\n',
    )
    expect(result).toEqual({
      ok: false,
      errors: [
        'products.windows.match: expected a non-empty list of alternatives',
        "products.windows.category.x[0].a: unknown condition 'b'",
      ],
    })
  })
})
