import { describe, expect, it } from 'vitest'
import { parseAccessLog } from './access-log'
import { parseAuditd } from './auditd'
import { attackFromTags, createRecordView, detectionRecord, eventUser } from './record'
import { loadFieldAliases, parseFieldAliases } from './sigma/field-aliases'

const aliases = (() => {
  const loaded = loadFieldAliases()
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'))
  return loaded.aliases
})()

describe('what rules see of a stored event', () => {
  it('gives Security 4688 the Sysmon names process_creation rules use, keeping its own', () => {
    const record = detectionRecord(
      {
        Channel: 'Security',
        EventID: 4688,
        NewProcessName: 'C:\\Windows\\System32\\whoami.exe',
        ParentProcessName: 'C:\\Windows\\System32\\cmd.exe',
        CommandLine: 'whoami /priv',
      },
      aliases,
    )
    expect(record).toMatchObject({
      Image: 'C:\\Windows\\System32\\whoami.exe',
      ParentImage: 'C:\\Windows\\System32\\cmd.exe',
      NewProcessName: 'C:\\Windows\\System32\\whoami.exe',
    })
  })

  it('leaves other events as they are, and never overwrites a field the event has', () => {
    const sysmon = { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'a.exe' }
    expect(detectionRecord(sysmon, aliases)).toBe(sysmon)
    const both = { Channel: 'security', EventID: '4688', Image: 'kept', NewProcessName: 'other' }
    expect(detectionRecord(both, aliases)).toMatchObject({ Image: 'kept' })
  })

  it('flattens Winlogbeat documents and evtx_dump JSON to the native Windows names', () => {
    const winlog = detectionRecord({
      '@timestamp': '2026-11-20T10:00:00Z',
      winlog: {
        channel: 'Microsoft-Windows-Sysmon/Operational',
        event_id: '1',
        computer_name: 'ws-1',
        event_data: { Image: 'C:\\x.exe', CommandLine: 'x' },
      },
    })
    expect(winlog).toMatchObject({
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      EventID: 1,
      Computer: 'ws-1',
      Image: 'C:\\x.exe',
    })
    const dump = detectionRecord(
      {
        Event: {
          System: { EventID: 4688, Channel: 'Security', Computer: 'dc-1' },
          EventData: { NewProcessName: 'C:\\y.exe' },
        },
      },
      aliases,
    )
    expect(dump).toMatchObject({ EventID: 4688, Channel: 'Security', Computer: 'dc-1', Image: 'C:\\y.exe' })
  })

  it('reads access-log lines (combined format, nginx escapes) as W3C fields', () => {
    const line =
      '203.0.113.9 - - [21/Nov/2026:10:00:00 +0000] "GET /cgi-bin/../../etc/passwd?a=1 HTTP/1.1" 404 153 "-" "curl/8.5 \\x22x\\x22"'
    expect(parseAccessLog(line)).toEqual({
      'c-ip': '203.0.113.9',
      '@timestamp': '2026-11-21T10:00:00.000Z',
      'cs-method': 'GET',
      'cs-uri': '/cgi-bin/../../etc/passwd?a=1',
      'cs-uri-query': '/cgi-bin/../../etc/passwd?a=1',
      'cs-uri-stem': '/cgi-bin/../../etc/passwd',
      'cs-version': 'HTTP/1.1',
      'sc-status': 404,
      'sc-bytes': 153,
      'cs-user-agent': 'curl/8.5 "x"',
    })
    expect(parseAccessLog('::1 - - [01/Jan/2026:00:30:00 +0100] "GET / HTTP/1.1" 200 1')).toMatchObject({
      '@timestamp': '2025-12-31T23:30:00.000Z',
    })
    expect(parseAccessLog('127.0.0.1 - bob [x] "POST /login HTTP/1.0" 200 -')).toMatchObject({
      'cs-username': 'bob',
      'cs-method': 'POST',
      'sc-status': 200,
    })
    expect(parseAccessLog('Nov 21 sshd[1]: Failed password')).toBeNull()
    expect(detectionRecord({ message: line, host: 'web-1' })).toMatchObject({
      host: 'web-1',
      'sc-status': 404,
    })
  })

  it('refuses a malformed alias file with the place of each mistake', () => {
    expect(parseFieldAliases('aliases:\n  - when: {Channel: [{}]}\n    fields: {Image: 3}\n')).toEqual({
      ok: false,
      errors: [
        'aliases[0].when.Channel: expected a scalar or a list of scalars',
        "aliases[0].fields.Image: expected the stored field's name",
      ],
    })
    expect(parseFieldAliases('nope: 1')).toMatchObject({ ok: false })
  })

  it('finds the user and the ATT&CK techniques and tactics', () => {
    expect(eventUser({ TargetUserName: '-', SubjectUserName: 'alice' })).toBe('alice')
    expect(eventUser({ user: { name: 'bob' } })).toBe('bob')
    expect(
      attackFromTags([
        'attack.execution',
        'attack.t1059.001',
        'attack.T1059.001',
        'attack.g0016',
        'car.2013-05-004',
        'attack.defense-evasion',
      ]),
    ).toEqual({
      techniques: ['T1059.001'],
      tactics: ['execution', 'defense_evasion'],
    })
  })
})

describe('auditd lines', () => {
  it('splits a record into its fields, decoding hex-encoded EXECVE arguments', () => {
    expect(
      parseAuditd(
        'type=EXECVE msg=audit(1604996384.965:93777): argc=4 a0="dd" a1="if=/dev/zero" a2=2F746D702F612062 a3="count=1"',
      ),
    ).toEqual({
      type: 'EXECVE',
      '@timestamp': '2020-11-10T08:19:44.965Z',
      'audit.time': 1604996384.965,
      'audit.serial': 93777,
      argc: '4',
      a0: 'dd',
      a1: 'if=/dev/zero',
      a2: '/tmp/a b',
      a3: 'count=1',
    })
    // SYSCALL's a0…a3 are register values in hex, not encoded text.
    expect(parseAuditd('type=SYSCALL msg=audit(1.5:2): a0=558E25 comm="arp" key=(null)')).toMatchObject({
      a0: '558E25',
      comm: 'arp',
      key: '(null)',
    })
    expect(parseAuditd('type=nothing here')).toBeNull()
    expect(detectionRecord({ message: 'type=CWD msg=audit(1.0:3): cwd="/home/x"' })).toMatchObject({
      type: 'CWD',
      cwd: '/home/x',
    })
  })
})

describe('network devices', () => {
  it("gives CEF/LEEF firewall and proxy events the names Sigma's firewall and proxy rules use", () => {
    const firewall = detectionRecord(
      {
        'source.ip': '10.0.0.5',
        'destination.ip': '69.42.98.86',
        'destination.port': 443,
        'source.port': 5555,
        'event.action': 'accept',
        src: '10.0.0.5',
      },
      aliases,
    )
    expect(firewall).toMatchObject({
      src_ip: '10.0.0.5',
      dst_ip: '69.42.98.86',
      dst_port: 443,
      src_port: 5555,
      action: 'accept',
    })
    const proxy = detectionRecord(
      { 'url.original': 'http://x.test/a.hta', 'http.request.method': 'GET' },
      aliases,
    )
    expect(proxy).toMatchObject({ 'c-uri': 'http://x.test/a.hta', 'cs-method': 'GET' })
    expect(detectionRecord({ 'source.ip': '10.0.0.5' }, aliases)).not.toHaveProperty('src_ip')
  })

  it('refuses an unknown condition map in an alias', () => {
    expect(parseFieldAliases('aliases:\n  - when: {a: {present: 1}}\n    fields: {b: c}\n')).toEqual({
      ok: false,
      errors: ['aliases[0].when.a: the only condition map is {exists: true|false}'],
    })
  })
})

describe('auditd process starts', () => {
  it('joins a SYSCALL execve with its EXECVE record into what linux process_creation rules read', () => {
    const view = createRecordView([])
    const lines = [
      'type=SYSCALL msg=audit(1604994496.155:92733): arch=c000003e syscall=59 success=yes exit=0 ppid=29002 pid=1631 auid=1000 uid=1000 comm="arp" exe="/usr/sbin/arp" key=(null)',
      'type=EXECVE msg=audit(1604994496.155:92733): argc=2 a0="arp" a1="-a"',
      'type=CWD msg=audit(1604994496.155:92733): cwd="/home/wardog"',
      'type=EXECVE msg=audit(1604994497.000:92734): argc=1 a0="orphan"',
    ].map((message) => view({ message }))
    expect(lines[1]).toMatchObject({
      type: 'EXECVE',
      Image: '/usr/sbin/arp',
      CommandLine: 'arp -a',
      ProcessId: '1631',
      ParentProcessId: '29002',
      User: '1000',
    })
    expect(lines[0]).not.toHaveProperty('Image')
    expect(lines[3]).not.toHaveProperty('Image') // no SYSCALL seen for it
    // Forwarded over syslog, the kv parser has already split the line: msg carries the serial.
    const live = createRecordView([])
    live({ type: 'SYSCALL', msg: 'audit(1.0:7):', syscall: '59', exe: '/bin/dd', pid: '5', ppid: '1' })
    expect(
      live({ type: 'EXECVE', msg: 'audit(1.0:7):', argc: '2', a0: 'dd', a1: 'if=/dev/zero' }),
    ).toMatchObject({
      Image: '/bin/dd',
      CommandLine: 'dd if=/dev/zero',
    })
  })
})
