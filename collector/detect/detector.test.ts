import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import Database from 'better-sqlite3'
import { strToU8, zipSync } from 'fflate'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Alert, CallRes, EventPayload, RuleTest } from '../contract'
import { DEFAULT_CONFIG_TEXT } from '../host/config'
import { createCore, type Core } from '../host/create-core'
import { callOk } from '../host/test-core'
import { EventsRepo } from '../store/sqlite/events-repo'

const WHOAMI_RULE = `title: Whoami Run By A User
id: 2f3a5e4c-1d7b-4b7e-9a40-6b1f0c1d2e01
status: test
description: whoami.exe started, as recon after a compromise often does
author: Outpost tests
tags:
  - attack.discovery
  - attack.t1033
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  condition: selection
level: high
`

const sysmon = (host: string, image: string, time: string, extra: Record<string, unknown> = {}) => ({
  Channel: 'Microsoft-Windows-Sysmon/Operational',
  EventID: 1,
  Computer: host,
  host,
  UtcTime: time,
  '@timestamp': time,
  Image: image,
  CommandLine: image,
  User: 'CORP\\bob',
  ...extra,
})

describe('live detection in the core', () => {
  let core: Core
  let dataDir: string
  const raised: Alert[] = []
  const tests: RuleTest[] = []
  const post = async (events: unknown[]): Promise<void> => {
    const response = await fetch(`http://127.0.0.1:${core.listeners.http!.port}/v1/events`, {
      method: 'POST',
      body: events.map((e) => JSON.stringify(e)).join('\n'),
    })
    expect(response.status).toBe(200)
  }
  /** Waits until `predicate` holds over the alerts pushed so far (the engine runs after commit). */
  const pushed = async (predicate: (alerts: Alert[]) => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !predicate(raised); i++) await new Promise((r) => setTimeout(r, 25))
    expect(predicate(raised)).toBe(true)
  }
  const list = (req: object = {}) => callOk<CallRes<'alerts:list'>>(core, 'alerts:list', req)

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-detect-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
    core.subscribe((name, payload) => {
      if (name === 'alerts:raised') raised.push(...(payload as EventPayload<'alerts:raised'>).alerts)
      if (name === 'rules:test-progress') tests.push(payload as RuleTest)
    })
  })
  afterAll(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('reports a broken rule with its line before it is saved, and refuses to save it', async () => {
    const broken = WHOAMI_RULE.replace('condition: selection', 'condition: selection and not filter')
    const { problems } = await callOk<CallRes<'rules:validate'>>(core, 'rules:validate', { text: broken })
    expect(problems).toEqual([
      {
        kind: 'invalid',
        file: 'editor.yml',
        line: 15,
        reason: "the condition names 'filter', which is not defined",
      },
    ])
    const saved = await core.call('rules:save', { text: broken })
    expect(saved.ok).toBe(false)
    if (!saved.ok) {
      expect(saved.error.code).toBe('invalid_request')
      expect(saved.error.message).toContain('line 15')
    }
  })

  it('raises an alert for a matching event, with author, license, ATT&CK and the event', async () => {
    const { file, rules } = await callOk<CallRes<'rules:save'>>(core, 'rules:save', { text: WHOAMI_RULE })
    expect(file).toMatch(/^user\/whoami_run_by_a_user_\w+\.yml$/)
    expect(rules).toEqual([
      expect.objectContaining({ key: '2f3a5e4c-1d7b-4b7e-9a40-6b1f0c1d2e01', enabled: true }),
    ])
    await post([
      sysmon('ws-1', 'C:\\Windows\\System32\\whoami.exe', '2026-11-20T10:00:00.000Z'),
      sysmon('ws-1', 'C:\\Windows\\System32\\notepad.exe', '2026-11-20T10:00:01.000Z'),
    ])
    await pushed((alerts) => alerts.some((a) => a.origin === 'sigma'))
    const { alerts } = await list()
    const alert = alerts.find((a) => a.origin === 'sigma')!
    expect(alert).toMatchObject({
      rule_id: '2f3a5e4c-1d7b-4b7e-9a40-6b1f0c1d2e01',
      title: 'Whoami Run By A User',
      level: 'high',
      author: 'Outpost tests',
      license: null,
      techniques: ['T1033'],
      tactics: ['discovery'],
      host: 'ws-1',
      user: 'CORP\\bob',
      timestamp: '2026-11-20T10:00:00.000Z',
      count: 1,
      status: 'new',
    })
    const event = await callOk<CallRes<'events:get'>>(core, 'events:get', { id: alert.event_id })
    expect(event.event.fields).toMatchObject({ Image: 'C:\\Windows\\System32\\whoami.exe' })
    const listed = await callOk<CallRes<'rules:list'>>(core, 'rules:list', { query: 'whoami' })
    expect(listed.rules).toEqual([expect.objectContaining({ hits: 1, last_hit: '2026-11-20T10:00:00.000Z' })])
  })

  it('folds repeats on one host within the suppression window, and not beyond it', async () => {
    await post([
      sysmon('ws-1', 'C:\\Windows\\System32\\whoami.exe', '2026-11-20T10:02:00.000Z'), // +2 min: folded
      sysmon('ws-2', 'C:\\Windows\\System32\\whoami.exe', '2026-11-20T10:02:00.000Z'), // other host: new
      sysmon('ws-1', 'C:\\Windows\\System32\\whoami.exe', '2026-11-20T10:30:00.000Z'), // +28 min: new
    ])
    await pushed((alerts) => alerts.filter((a) => a.origin === 'sigma').length >= 4)
    const sigma = (await list()).alerts.filter((a) => a.origin === 'sigma')
    expect(sigma.map((a) => [a.host, a.count, a.timestamp, a.last_timestamp])).toEqual([
      ['ws-1', 1, '2026-11-20T10:30:00.000Z', '2026-11-20T10:30:00.000Z'],
      ['ws-2', 1, '2026-11-20T10:02:00.000Z', '2026-11-20T10:02:00.000Z'],
      ['ws-1', 2, '2026-11-20T10:00:00.000Z', '2026-11-20T10:02:00.000Z'],
    ])
    expect(sigma[2]!.event_ids).toHaveLength(2)
  })

  it('groups high alerts of one host into one incident (the dispatcher)', async () => {
    const sigma = (await list()).alerts.filter((a) => a.origin === 'sigma')
    const byHost = new Map(sigma.map((a) => [a.host, a.incident_id]))
    expect(sigma.every((a) => a.incident_id !== null)).toBe(true)
    expect(sigma.filter((a) => a.host === 'ws-1').map((a) => a.incident_id)).toEqual([
      byHost.get('ws-1'),
      byHost.get('ws-1'),
    ])
    expect(byHost.get('ws-1')).not.toBe(byHost.get('ws-2'))
    const { incidents } = await callOk<CallRes<'incidents:list'>>(core, 'incidents:list', {})
    expect(incidents.find((i) => i.id === byHost.get('ws-1'))).toMatchObject({
      origin: 'grouping',
      alert_count: 2,
      severity: 'high',
      group: { host: 'ws-1' },
      techniques: ['T1033'],
    })
  })

  it('acknowledges, closes as false positive with a note, escalates, and filters by status', async () => {
    const [newest, second, third] = (await list()).alerts.filter((a) => a.origin === 'sigma')
    const ack = await callOk<CallRes<'alerts:update'>>(core, 'alerts:update', {
      ids: [newest!.id],
      action: 'acknowledge',
    })
    expect(ack.alerts[0]).toMatchObject({ status: 'acknowledged' })
    await callOk(core, 'alerts:update', { ids: [second!.id], action: 'false_positive', note: 'admin script' })
    const escalated = await callOk<CallRes<'alerts:escalate'>>(core, 'alerts:escalate', {
      ids: [third!.id],
      title: 'Recon on ws-1',
    })
    expect(escalated.incident).toMatchObject({ title: 'Recon on ws-1', origin: 'analyst', alert_count: 1 })
    expect(escalated.alerts[0]).toMatchObject({ status: 'escalated', incident_id: escalated.incident.id })
    const fp = await list({ status: ['false_positive'] })
    expect(fp.alerts.map((a) => [a.id, a.note])).toEqual([[second!.id, 'admin script']])
    expect((await list({ query: 'ws-2' })).alerts.map((a) => a.id)).toEqual([second!.id])
    expect((await list({ min_level: 'critical' })).total).toBe(0)
    const unknown = await core.call('alerts:update', { ids: ['nope'], action: 'close' })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  it('stops raising when the rule is disabled', async () => {
    const before = (await list()).total
    const { changed } = await callOk<CallRes<'rules:set-enabled'>>(core, 'rules:set-enabled', {
      folder: 'user',
      enabled: false,
    })
    expect(changed).toBe(1)
    // A second, enabled rule over the next event proves the engine did evaluate it.
    await callOk(core, 'rules:save', {
      text: WHOAMI_RULE.replace(
        '2f3a5e4c-1d7b-4b7e-9a40-6b1f0c1d2e01',
        '9d0e8a43-5d0c-4a8f-8f5c-0b4b8b0c1d02',
      )
        .replace('Whoami Run By A User', 'Any Process On ws-3')
        .replace("Image|endswith: '\\whoami.exe'", 'Computer: ws-3'),
    })
    await post([sysmon('ws-3', 'C:\\Windows\\System32\\whoami.exe', '2026-11-20T11:00:00.000Z')])
    await pushed((alerts) => alerts.some((a) => a.title === 'Any Process On ws-3'))
    const after = (await list()).alerts.filter((a) => a.host === 'ws-3')
    expect(after.map((a) => a.title)).toEqual(['Any Process On ws-3'])
    expect((await list()).total).toBe(before + 1)
  })

  it('tests a rule against stored history with progress, storing nothing', async () => {
    const before = (await list()).total
    const { test_id } = await callOk<CallRes<'rules:test'>>(core, 'rules:test', { text: WHOAMI_RULE })
    for (let i = 0; i < 200 && !tests.some((t) => t.test_id === test_id && t.state !== 'running'); i++)
      await new Promise((r) => setTimeout(r, 25))
    const done = tests.filter((t) => t.test_id === test_id).at(-1)!
    expect(done).toMatchObject({ state: 'done', matches: 5, total: done.scanned, error: null })
    expect(done.results.map((r) => r.host)).toEqual(['ws-1', 'ws-1', 'ws-2', 'ws-1', 'ws-3'])
    expect((await list()).total).toBe(before)
    const bad = await core.call('rules:test', { text: 'title: x' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
  })
})

describe('rule import', () => {
  let core: Core
  let dataDir: string
  afterEach(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('imports a folder: good rules load, each bad one is reported with file, line and reason', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-rules-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
    const folder = join(dataDir, 'my-rules')
    mkdirSync(join(folder, 'windows'), { recursive: true })
    writeFileSync(join(folder, 'LICENSE.Detection.Rules.md'), '# Detection Rule License (DRL) 1.1\n')
    writeFileSync(join(folder, 'windows', 'whoami.yml'), WHOAMI_RULE)
    writeFileSync(
      join(folder, 'windows', 'broken.yml'),
      'title: Broken\nlogsource: {product: windows}\ndetection:\n  sel: {a: 1}\n  condition: sel and\n',
    )
    writeFileSync(join(folder, 'notes.txt'), 'not a rule')
    const result = await callOk<CallRes<'rules:import'>>(core, 'rules:import', { paths: [folder] })
    expect(result).toMatchObject({ files: 1, loaded: 1, invalid: 1, unsupported: 0, folder: 'my-rules' })
    expect(result.problems).toEqual([
      expect.objectContaining({ file: 'my-rules/windows/broken.yml', line: 5, kind: 'invalid' }),
    ])
    const { rules, folders } = await callOk<CallRes<'rules:list'>>(core, 'rules:list', { folder: 'my-rules' })
    expect(rules).toEqual([
      expect.objectContaining({
        file: 'my-rules/windows/whoami.yml',
        license: 'DRL-1.1',
        origin: 'imported',
      }),
    ])
    expect(folders).toContainEqual({ folder: 'my-rules/windows', rules: 1, enabled: 1 })
    const got = await callOk<CallRes<'rules:get'>>(core, 'rules:get', { key: rules[0]!.key })
    expect(got.text).toBe(WHOAMI_RULE)
  })

  it('imports a release zip: rules from its folders, the license from its LICENSE, problems per member', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-rules-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
    const zip = join(dataDir, 'sigma_core.zip')
    writeFileSync(
      zip,
      zipSync({
        'LICENSE.Detection.Rules.md': strToU8('# Detection Rule License (DRL) 1.1\n'),
        'rules/windows/process_creation/whoami.yml': strToU8(WHOAMI_RULE),
        'rules/windows/broken.yml': strToU8('title: Broken\nlogsource: {product: windows}\ndetection: {}\n'),
        '__MACOSX/rules/._whoami.yml': strToU8('junk'),
      }),
    )
    const result = await callOk<CallRes<'rules:import'>>(core, 'rules:import', { paths: [zip] })
    expect(result).toMatchObject({ files: 1, loaded: 1, invalid: 1, folder: 'sigma_core' })
    expect(result.problems).toEqual([
      expect.objectContaining({ file: 'sigma_core/rules/windows/broken.yml' }),
    ])
    const { rules } = await callOk<CallRes<'rules:list'>>(core, 'rules:list', { folder: 'sigma_core' })
    expect(rules.map((r) => [r.file, r.license])).toEqual([
      ['sigma_core/rules/windows/process_creation/whoami.yml', 'DRL-1.1'],
    ])
    // Importing it again replaces the files in place: no duplicate rules, state kept.
    await callOk(core, 'rules:set-enabled', { keys: [rules[0]!.key], enabled: false })
    await callOk(core, 'rules:import', { paths: [zip] })
    const again = await callOk<CallRes<'rules:list'>>(core, 'rules:list', { folder: 'sigma_core' })
    expect(again.rules.map((r) => [r.key, r.enabled])).toEqual([[rules[0]!.key, false]])
  })

  it("shows a rule's own license field before its folder's", async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-rules-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
    const { rules } = await callOk<CallRes<'rules:save'>>(core, 'rules:save', {
      text: WHOAMI_RULE.replace('author: Outpost tests', 'author: Outpost tests\nlicense: MIT'),
    })
    expect(rules.map((r) => [r.author, r.license])).toEqual([['Outpost tests', 'MIT']])
  })

  it('says what is wrong with a path that is not rules', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-rules-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
    writeFileSync(join(dataDir, 'notes.txt'), 'not rules')
    const result = await callOk<CallRes<'rules:import'>>(core, 'rules:import', {
      paths: [join(dataDir, 'missing'), join(dataDir, 'notes.txt'), join(dataDir, 'config.yaml')],
    })
    expect(result).toMatchObject({ files: 0, loaded: 0 })
    expect(result.problems.map((p) => p.reason)).toEqual([
      expect.stringContaining('ENOENT'),
      'not a folder, .zip or .yml/.yaml file',
      'no title',
    ])
    // The line of config.yaml's first key, after its header comments.
    const firstKey = DEFAULT_CONFIG_TEXT.split('\n').findIndex((line) => /^\w/.test(line)) + 1
    expect(firstKey).toBeGreaterThan(1)
    expect(result.problems[2]).toMatchObject({ file: 'imported/config.yml', line: firstKey, kind: 'invalid' })
  })

  it("imports SigmaHQ's whole active rule set, keeps it across a restart, and toggles by tag", async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-rules-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
    const result = await callOk<CallRes<'rules:import'>>(core, 'rules:import', {
      paths: ['../shared/sigma/rules'],
      enabled: false,
    })
    expect(result.loaded).toBeGreaterThan(3700)
    expect(result.problems.length).toBe(result.invalid + result.unsupported)
    const all = await callOk<CallRes<'rules:list'>>(core, 'rules:list', { folder: 'rules', limit: 1 })
    expect(all.total).toBe(result.loaded)
    expect(all.rules[0]).toMatchObject({ license: 'DRL-1.1', enabled: false })
    const { changed } = await callOk<CallRes<'rules:set-enabled'>>(core, 'rules:set-enabled', {
      tag: 'attack.t1033',
      enabled: true,
    })
    expect(changed).toBeGreaterThan(5)
    await core.stop()
    core = await createCore({ dataDir, ephemeralPorts: true })
    const enabled = await callOk<CallRes<'rules:list'>>(core, 'rules:list', {
      enabled: true,
      folder: 'rules',
    })
    expect(enabled.total).toBe(changed)
    expect(enabled.rules.every((r) => r.tags.includes('attack.t1033'))).toBe(true)
  }, 60_000)
})

describe('detection across restarts', () => {
  it('evaluates events stored while it was off, once, and never again after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-detect-restart-'))
    const config = join(dataDir, 'config.yaml')
    writeFileSync(config, 'detection:\n  enabled: false\n')
    let core = await createCore({ dataDir, ephemeralPorts: true })
    try {
      await callOk(core, 'rules:save', { text: WHOAMI_RULE })
      const url = `http://127.0.0.1:${core.listeners.http!.port}/v1/events`
      const body = [1, 2, 3]
        .map((n) =>
          JSON.stringify(sysmon(`ws-${n}`, 'C:\\Windows\\System32\\whoami.exe', '2026-11-20T10:00:00Z')),
        )
        .join('\n')
      expect((await fetch(url, { method: 'POST', body })).status).toBe(200)
      const sigma = async () =>
        (await callOk<CallRes<'alerts:list'>>(core, 'alerts:list', {})).alerts.filter(
          (a) => a.origin === 'sigma',
        )
      expect(await sigma()).toEqual([])
      await core.stop()

      writeFileSync(config, 'detection:\n  enabled: true\n')
      core = await createCore({ dataDir, ephemeralPorts: true })
      for (let i = 0; i < 200 && (await sigma()).length < 3; i++) await new Promise((r) => setTimeout(r, 25))
      expect((await sigma()).map((a) => a.host).sort()).toEqual(['ws-1', 'ws-2', 'ws-3'])
      await core.stop()

      core = await createCore({ dataDir, ephemeralPorts: true })
      await new Promise((r) => setTimeout(r, 200))
      expect(await sigma()).toHaveLength(3)
    } finally {
      await core.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

describe('correlation rules live', () => {
  it("raises Outpost's example brute-force correlation once per burst, with its group and events", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-detect-corr-'))
    const core = await createCore({ dataDir, ephemeralPorts: true })
    try {
      const failure = (ip: string, second: number) => ({
        Channel: 'Security',
        EventID: 4625,
        Computer: 'dc-1',
        host: 'dc-1',
        TargetUserName: 'administrator',
        IpAddress: ip,
        '@timestamp': new Date(Date.UTC(2026, 10, 20, 9, 0, second)).toISOString(),
      })
      const burst = [
        ...Array.from({ length: 12 }, (_, i) => failure('10.0.0.66', i * 10)), // 12 in 2 minutes
        ...Array.from({ length: 12 }, (_, i) => failure('127.0.0.1', i)), // loopback: the example filter
        ...Array.from({ length: 9 }, (_, i) => failure('10.0.0.77', i)), // 9: under the threshold
      ]
      const url = `http://127.0.0.1:${core.listeners.http!.port}/v1/events`
      const body = burst.map((e) => JSON.stringify(e)).join('\n')
      expect((await fetch(url, { method: 'POST', body })).status).toBe(200)
      const sigma = async () =>
        (await callOk<CallRes<'alerts:list'>>(core, 'alerts:list', {})).alerts.filter(
          (a) => a.origin === 'sigma',
        )
      for (let i = 0; i < 200 && (await sigma()).length === 0; i++)
        await new Promise((r) => setTimeout(r, 25))
      await new Promise((r) => setTimeout(r, 100))
      const alerts = await sigma()
      expect(alerts.map((a) => [a.title, a.group, a.event_ids.length, a.author])).toEqual([
        ['Many Failed Logons From One Source', { IpAddress: '10.0.0.66' }, 10, 'Outpost'],
      ])
      expect(alerts[0]).toMatchObject({
        host: 'dc-1',
        license: 'Outpost example rule',
        techniques: ['T1110'],
        timestamp: '2026-11-20T09:01:30.000Z',
      })
      const { rules } = await callOk<CallRes<'rules:list'>>(core, 'rules:list', { folder: 'examples' })
      expect(rules.map((r) => [r.kind, r.title, r.hits]).sort()).toContainEqual([
        'correlation',
        'Many Failed Logons From One Source',
        1,
      ])
      expect(rules.find((r) => r.title === 'Failed Logon')).toMatchObject({ kind: 'detection', hits: 0 })
    } finally {
      await core.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

describe('SigmaHQ rules over syslog-forwarded lines', () => {
  it('raises web and linux process alerts from nginx access lines and auditd records', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-detect-syslog-'))
    const core = await createCore({ dataDir, ephemeralPorts: true })
    try {
      const rules = '../shared/sigma/rules/rules'
      const imported = await callOk<CallRes<'rules:import'>>(core, 'rules:import', {
        paths: [
          `${rules}/web/webserver_generic/web_path_traversal_exploitation_attempt.yml`,
          `${rules}/linux/process_creation/proc_creation_lnx_remote_system_discovery.yml`,
        ],
      })
      expect(imported).toMatchObject({ loaded: 2, invalid: 0 })
      const lines = [
        'web-1 nginx - - - 203.0.113.9 - - [21/Nov/2026:10:00:00 +0000] "GET /static/../../../etc/passwd HTTP/1.1" 404 153 "-" "curl/8.5"',
        'db-1 audispd - - - type=SYSCALL msg=audit(1604994496.155:92733): arch=c000003e syscall=59 success=yes exit=0 ppid=29002 pid=1631 auid=1000 uid=1000 comm="arp" exe="/usr/sbin/arp" key=(null)',
        'db-1 audispd - - - type=EXECVE msg=audit(1604994496.155:92733): argc=2 a0="arp" a1="-a"',
      ].map((rest) => `<14>1 2026-11-21T10:00:00Z ${rest}`)
      const socket = connect(core.listeners.syslog_tcp!.port, '127.0.0.1')
      await new Promise((resolve) => socket.once('connect', resolve))
      socket.write(lines.map((m) => `${Buffer.byteLength(m)} ${m}`).join(''))
      await new Promise<void>((resolve) => socket.end(resolve))
      const sigma = async () =>
        (await callOk<CallRes<'alerts:list'>>(core, 'alerts:list', {})).alerts.filter(
          (a) => a.origin === 'sigma',
        )
      for (let i = 0; i < 200 && (await sigma()).length < 2; i++) await new Promise((r) => setTimeout(r, 25))
      const alerts = await sigma()
      expect(alerts.map((a) => [a.title, a.host, a.license]).sort()).toEqual([
        ['Linux Remote System Discovery', 'db-1', 'DRL-1.1'],
        ['Path Traversal Exploitation Attempts', 'web-1', 'DRL-1.1'],
      ])
      expect(alerts.every((a) => a.author !== null && a.author.length > 0)).toBe(true)
    } finally {
      await core.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

describe('rows written by another process', () => {
  it('evaluates rows another writer stored between live batches, each once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-detect-gap-'))
    const core = await createCore({ dataDir, ephemeralPorts: true })
    const other = new Database(join(dataDir, 'outpost.sqlite'))
    try {
      await callOk(core, 'rules:save', { text: WHOAMI_RULE })
      const whoami = (host: string) =>
        sysmon(host, 'C:\\Windows\\System32\\whoami.exe', '2026-11-20T10:00:00Z')
      const url = `http://127.0.0.1:${core.listeners.http!.port}/v1/events`
      const post = (host: string) => fetch(url, { method: 'POST', body: JSON.stringify(whoami(host)) })
      expect((await post('live-1')).status).toBe(200)
      // As `outpost import` does beside a running Outpost: rows the core's pipeline never saw.
      new EventsRepo(other).insertBatch(
        ['cli-1', 'cli-2'].map((host) => ({
          id: `cli-${host}`,
          ts: Date.parse('2026-11-20T10:00:00Z'),
          received_at: Date.now(),
          listener: 'import',
          source: null,
          host,
          severity: null,
          message: null,
          fields: JSON.stringify(whoami(host)),
        })),
      )
      expect((await post('live-2')).status).toBe(200)
      const hosts = async () =>
        (await callOk<CallRes<'alerts:list'>>(core, 'alerts:list', {})).alerts
          .filter((a) => a.origin === 'sigma')
          .map((a) => a.host)
          .sort()
      for (let i = 0; i < 200 && (await hosts()).length < 4; i++) await new Promise((r) => setTimeout(r, 25))
      await new Promise((r) => setTimeout(r, 100))
      expect(await hosts()).toEqual(['cli-1', 'cli-2', 'live-1', 'live-2'])
    } finally {
      other.close()
      await core.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
