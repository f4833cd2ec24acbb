import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createRecordView } from '../detect/record'
import { loadFieldAliases } from '../detect/sigma/field-aliases'
import { canonicalIp } from '../store/sqlite/asset-key'
import { extractAssets } from './extract'

const OTRF = fileURLToPath(new URL('../../../shared/datasets/otrf/', import.meta.url))

const aliases = (() => {
  const loaded = loadFieldAliases()
  if (!loaded.ok) throw new Error(loaded.errors.join('; '))
  return loaded.aliases
})()

type Obj = Record<string, unknown>

/** The first OTRF event of `file` that `pick` accepts, as stored (JSON object). */
const otrf = (file: string, pick: (event: Obj) => boolean): Obj => {
  for (const line of readFileSync(OTRF + file, 'utf8').split('\n')) {
    if (!line.trim()) continue
    const event = JSON.parse(line) as Obj
    if (pick(event)) return event
  }
  throw new Error(`no such event in ${file}`)
}

/** What one event names, readable: entities as kind:value, links as `a -relation-> b`. */
const extract = (fields: Obj, storedHost: string | null = null, view = createRecordView(aliases)) => {
  const { entities, links } = extractAssets(view(fields), storedHost)
  const name = (i: number) => `${entities[i]!.kind}:${entities[i]!.value}`
  return {
    entities: entities.map((_, i) => name(i)),
    links: links.map((l) => `${name(l.from)} -${l.relation}-> ${name(l.to)}`),
  }
}

describe('asset extraction', () => {
  it('Sysmon 1: host, account, program and its parent', () => {
    const event = otrf('cmd_bitsadmin_download_psh_script.ndjson', (e) => e.EventID === 1)
    expect(extract(event)).toEqual({
      entities: [
        'host:WORKSTATION5',
        'user:WORKSTATION5\\wardog',
        'process:C:\\Windows\\System32\\bitsadmin.exe',
        'process:C:\\Windows\\System32\\cmd.exe',
      ],
      links: [
        'host:WORKSTATION5 -logon-> user:WORKSTATION5\\wardog',
        'host:WORKSTATION5 -ran-> process:C:\\Windows\\System32\\bitsadmin.exe',
        'user:WORKSTATION5\\wardog -ran-> process:C:\\Windows\\System32\\bitsadmin.exe',
        'host:WORKSTATION5 -ran-> process:C:\\Windows\\System32\\cmd.exe',
        'process:C:\\Windows\\System32\\cmd.exe -spawned-> process:C:\\Windows\\System32\\bitsadmin.exe',
      ],
    })
  })

  it('Security 4688: NewProcessName and ParentProcessName, the subject account', () => {
    const event = otrf('cmd_bitsadmin_download_psh_script.ndjson', (e) => e.EventID === 4688)
    expect(extract(event)).toEqual({
      entities: [
        'host:WORKSTATION5',
        'user:wardog',
        'process:C:\\Windows\\System32\\bitsadmin.exe',
        'process:C:\\Windows\\System32\\cmd.exe',
      ],
      links: [
        'host:WORKSTATION5 -logon-> user:wardog',
        'host:WORKSTATION5 -ran-> process:C:\\Windows\\System32\\bitsadmin.exe',
        'user:wardog -ran-> process:C:\\Windows\\System32\\bitsadmin.exe',
        'host:WORKSTATION5 -ran-> process:C:\\Windows\\System32\\cmd.exe',
        'process:C:\\Windows\\System32\\cmd.exe -spawned-> process:C:\\Windows\\System32\\bitsadmin.exe',
      ],
    })
  })

  it('Sysmon 3 outbound: SourceIp is the host own address, DestinationIp a peer', () => {
    const event = otrf(
      'cmd_sharpview_pcre_net.ndjson',
      (e) => e.EventID === 3 && e.Initiated === 'true' && e.DestinationIp === '172.18.38.5',
    )
    // The stored host column is the WEC that forwarded it: the record's own Hostname wins.
    expect(extract(event, 'wec.internal.cloudapp.net')).toEqual({
      entities: [
        'host:WORKSTATION5.theshire.local',
        'user:THESHIRE\\pgustavo',
        'ip:172.18.39.5',
        'ip:172.18.38.5',
        'process:C:\\ProgramData\\SharpView.exe',
      ],
      links: [
        'host:WORKSTATION5.theshire.local -logon-> user:THESHIRE\\pgustavo',
        'host:WORKSTATION5.theshire.local -address-> ip:172.18.39.5',
        'host:WORKSTATION5.theshire.local -connected-> ip:172.18.38.5',
        'host:WORKSTATION5.theshire.local -ran-> process:C:\\ProgramData\\SharpView.exe',
        'user:THESHIRE\\pgustavo -ran-> process:C:\\ProgramData\\SharpView.exe',
      ],
    })
  })

  it('Sysmon 3 inbound: the listening end (lower port) is the host own, whichever field holds it', () => {
    const smb = otrf(
      'covenant_sc_query_dcerpc_smb_svcctl.ndjson',
      (e) => e.EventID === 3 && e.Initiated === 'false' && e.DestinationPort === '445',
    )
    expect(extract(smb).links).toEqual([
      'host:MORDORDC.theshire.local -logon-> user:NT AUTHORITY\\SYSTEM',
      'host:MORDORDC.theshire.local -address-> ip:172.18.38.5',
      'host:MORDORDC.theshire.local -connected-> ip:172.18.39.5',
      'host:MORDORDC.theshire.local -ran-> process:System',
      'user:NT AUTHORITY\\SYSTEM -ran-> process:System',
    ])
    const dns = otrf(
      'covenant_sc_query_dcerpc_smb_svcctl.ndjson',
      (e) => e.EventID === 3 && e.Initiated === 'false' && e.SourcePort === '53',
    )
    expect(extract(dns).links.filter((l) => l.includes('ip:'))).toEqual([
      'host:MORDORDC.theshire.local -address-> ip:172.18.38.5',
      'host:MORDORDC.theshire.local -connected-> ip:172.18.39.5',
    ])
  })

  it('Security 4624: the account logs on to the host from a source address', () => {
    const event = otrf(
      'covenant_sc_query_dcerpc_smb_svcctl.ndjson',
      (e) => e.EventID === 4624 && e.TargetUserName === 'pgustavo',
    )
    expect(extract(event, 'wec.internal.cloudapp.net')).toEqual({
      entities: ['host:MORDORDC.theshire.local', 'user:pgustavo', 'ip:172.18.39.5'],
      links: [
        'host:MORDORDC.theshire.local -logon-> user:pgustavo',
        'ip:172.18.39.5 -logon-> user:pgustavo',
        'host:MORDORDC.theshire.local -connected-> ip:172.18.39.5',
      ],
    })
  })

  it('Security 5156 (WFP): SourceAddress is local; multicast names nothing', () => {
    const azure = otrf(
      'cmd_psexec_lsa_secrets_dump.ndjson',
      (e) => e.EventID === 5156 && e.DestAddress === '168.63.129.16',
    )
    expect(extract(azure).links).toEqual([
      'host:WORKSTATION5 -address-> ip:192.168.2.5',
      'host:WORKSTATION5 -connected-> ip:168.63.129.16',
    ])
    const ssdp = otrf(
      'cmd_bitsadmin_download_psh_script.ndjson',
      (e) => e.EventID === 5156 && e.DestAddress === '239.255.255.250',
    )
    expect(extract(ssdp).entities).toEqual(['host:WORKSTATION5', 'ip:192.168.2.5'])
  })

  it('System 7045: a service installed on the host', () => {
    const event = otrf('cmd_psexec_lsa_secrets_dump.ndjson', (e) => e.EventID === 7045)
    expect(extract(event)).toEqual({
      entities: ['host:WORKSTATION5', 'user:LocalSystem', 'service:PSEXESVC'],
      links: ['host:WORKSTATION5 -logon-> user:LocalSystem', 'host:WORKSTATION5 -service-> service:PSEXESVC'],
    })
  })

  it('Sysmon placeholders such as <unknown process> name no program', () => {
    const event = otrf(
      'cmd_psexec_lsa_secrets_dump.ndjson',
      (e) => e.EventID === 22 && e.Image === '<unknown process>',
    )
    expect(extract(event).entities).toEqual(['host:WORKSTATION5'])
  })

  it('Winlogbeat: event_data flattened, ECS host.ip as own addresses, IPv4-mapped source', () => {
    const event = {
      '@timestamp': '2026-11-20T10:00:00Z',
      host: { name: 'dc01.corp.local', ip: ['10.0.0.2', 'FE80::1', '127.0.0.1'] },
      winlog: {
        channel: 'Security',
        event_id: 4624,
        computer_name: 'DC01.corp.local',
        event_data: { TargetUserName: 'alice', IpAddress: '::ffff:10.0.0.7', WorkstationName: 'WS07' },
      },
    }
    expect(extract(event, 'dc01.corp.local')).toEqual({
      entities: [
        'host:DC01.corp.local',
        'user:alice',
        'host:WS07',
        'ip:10.0.0.2',
        'ip:fe80::1',
        'ip:10.0.0.7',
      ],
      links: [
        'host:DC01.corp.local -logon-> user:alice',
        'host:WS07 -logon-> user:alice',
        'host:DC01.corp.local -address-> ip:10.0.0.2',
        'host:DC01.corp.local -address-> ip:fe80::1',
        'ip:10.0.0.7 -logon-> user:alice',
        'host:DC01.corp.local -connected-> ip:10.0.0.7',
      ],
    })
  })

  it('ECS process and network fields, nested', () => {
    const event = {
      host: { name: 'web1' },
      user: { name: 'www-data' },
      process: { executable: '/usr/bin/curl', parent: { executable: '/bin/bash' } },
      source: { ip: '10.1.1.1' },
      destination: { ip: '93.184.216.34' },
      service: { name: 'nginx' },
    }
    expect(extract(event, 'web1')).toEqual({
      entities: [
        'host:web1',
        'user:www-data',
        'ip:10.1.1.1',
        'ip:93.184.216.34',
        'process:/usr/bin/curl',
        'process:/bin/bash',
        'service:nginx',
      ],
      links: [
        'host:web1 -logon-> user:www-data',
        'host:web1 -connected-> ip:10.1.1.1',
        'host:web1 -connected-> ip:93.184.216.34',
        'host:web1 -ran-> process:/usr/bin/curl',
        'user:www-data -ran-> process:/usr/bin/curl',
        'host:web1 -ran-> process:/bin/bash',
        'process:/bin/bash -spawned-> process:/usr/bin/curl',
        'host:web1 -service-> service:nginx',
      ],
    })
  })

  it('auditd: a process start joined across its records (the view is stateful)', () => {
    const lines = readFileSync(OTRF + 'sh_arp_cache.log', 'utf8').split('\n')
    const view = createRecordView(aliases)
    const syscall = extract({ message: lines[0] }, 'lnx1', view)
    expect(syscall).toEqual({
      entities: ['host:lnx1', 'process:/usr/sbin/arp'],
      links: ['host:lnx1 -ran-> process:/usr/sbin/arp'],
    })
    const execve = extract({ message: lines[1] }, 'lnx1', view)
    expect(execve).toEqual({
      entities: ['host:lnx1', 'user:1000', 'process:/usr/sbin/arp'],
      links: [
        'host:lnx1 -logon-> user:1000',
        'host:lnx1 -ran-> process:/usr/sbin/arp',
        'user:1000 -ran-> process:/usr/sbin/arp',
      ],
    })
  })

  it('access log: the client address is a peer of the web server', () => {
    const event = { message: '10.0.0.9 - - [21/Nov/2026:10:00:00 +0100] "GET /a?b=1 HTTP/1.1" 200 12' }
    expect(extract(event, 'web1')).toEqual({
      entities: ['host:web1', 'ip:10.0.0.9'],
      links: ['host:web1 -connected-> ip:10.0.0.9'],
    })
  })

  it('an event naming nothing gives nothing', () => {
    expect(extract({ message: 'hello', IpAddress: '-', SourceIp: '0.0.0.0' })).toEqual({
      entities: [],
      links: [],
    })
  })

  it.each([
    ['10.1.2.3', '10.1.2.3'],
    [' 10.1.2.3 ', '10.1.2.3'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::ffff:a00:1', '10.0.0.1'],
    ['FE80:0:0:0:90E:17AF:263C:5209', 'fe80::90e:17af:263c:5209'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['0.0.0.0', null],
    ['127.0.0.1', null],
    ['::1', null],
    ['0:0:0:0:0:0:0:1', null],
    ['::', null],
    ['224.0.0.251', null],
    ['ff02::fb', null],
    ['255.255.255.255', null],
    ['-', null],
    ['ws01', null],
    ['010.1.2.3', null],
  ])('canonicalIp(%j) = %j', (raw, expected) => {
    expect(canonicalIp(raw)).toBe(expected)
  })
})
