import Database from 'better-sqlite3'
import { beforeEach, describe, expect, it } from 'vitest'
import { ContractError, type ParsedReq } from '../../contract'
import { assetHandlers } from '../../assets/asset-calls'
import { AssetIndexer } from '../../assets/indexer'
import type { Audited } from '../../detect/rule-calls'
import { silentLogger } from '../../host/log'
import { normalizeJson } from '../../ingest/normalize'
import { AlertsRepo, type NewAlert } from './alerts-repo'
import { AssetsRepo, GRAPH_ALERTS_PER_ASSET } from './assets-repo'
import { AuditLog } from './audit-repo'
import { EventsRepo } from './events-repo'
import { migrate } from './migrate'
import { migrations } from './migrations'
import { RulesRepo } from './rules-repo'

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0)
const ctx = { listener: 'http', source: '127.0.0.1', receivedAt: T0 }
const at = (ms: number) => new Date(T0 + ms).toISOString()

const processStart = (host: string, image: string, user: string, ms: number) =>
  normalizeJson(
    {
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      EventID: 1,
      Computer: host,
      '@timestamp': at(ms),
      Image: image,
      ParentImage: 'C:\\Windows\\explorer.exe',
      User: user,
      message: `${image} started`,
    },
    ctx,
  )
const logon = (host: string, user: string, ip: string, ms: number) =>
  normalizeJson(
    {
      Channel: 'Security',
      EventID: 4624,
      Computer: host,
      '@timestamp': at(ms),
      TargetUserName: user,
      IpAddress: ip,
    },
    ctx,
  )

const alert = (title: string, host: string | null, user: string | null, ms: number): NewAlert => ({
  origin: 'sigma',
  rule_id: null,
  rule_key: title,
  title,
  level: 'high',
  tags: [],
  techniques: [],
  tactics: [],
  author: null,
  license: null,
  host,
  user,
  ts: T0 + ms,
  event_ids: ['e1'],
  group: null,
  dedup_key: `${title}|${host ?? ''}`,
})

let db: Database.Database
let repo: AssetsRepo
let alerts: AlertsRepo
let audit: AuditLog
let handlers: ReturnType<typeof assetHandlers>

const list = (req: Partial<ParsedReq<'assets:list'>> = {}) =>
  repo.list({ sort: 'last_seen', limit: 500, offset: 0, ...req })
const graph = (req: Partial<ParsedReq<'graph:get'>> = {}) =>
  repo.graph({ depth: 2, alerts: true, limit: 2000, ...req })
const refusal = (run: () => unknown): { code: string; message: string } => {
  try {
    run()
  } catch (error) {
    if (error instanceof ContractError) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('not refused')
}

beforeEach(async () => {
  db = new Database(':memory:')
  migrate(db, migrations, ':memory:')
  const events = new EventsRepo(db)
  events.insertBatch([
    processStart('WS1', 'C:\\Windows\\System32\\cmd.exe', 'CORP\\bob', 0),
    processStart('WS1', 'C:\\Windows\\System32\\whoami.exe', 'CORP\\bob', 1000),
    processStart('ws1', 'C:\\Windows\\System32\\cmd.exe', 'CORP\\bob', 2000),
    processStart('WS2', 'C:\\Windows\\System32\\notepad.exe', 'CORP\\carol', 3000),
    logon('DC1', 'CORP\\bob', '10.0.0.5', 4000),
  ])
  const indexer = new AssetIndexer({ db, rules: new RulesRepo(db), aliases: [], log: silentLogger })
  indexer.kick()
  await indexer.stop()
  alerts = new AlertsRepo(db)
  audit = new AuditLog(db)
  repo = new AssetsRepo(db, alerts)
  const audited: Audited = (entry, change) =>
    db.transaction(() => {
      const result = change()
      audit.append({ ...(typeof entry === 'function' ? entry(result) : entry), actor: 'tester' })
      return result
    })()
  handlers = assetHandlers(repo, audited)
})

describe('assets repo', () => {
  it('lists with per-kind counts, sorted, paged, with the total matching', () => {
    const all = list()
    expect(all.total).toBe(10)
    expect(all.kinds).toEqual({ host: 3, ip: 1, user: 2, process: 4, service: 0 })
    // Newest first; the ties (one logon event) by the order they were found.
    expect(all.assets.slice(0, 3).map((a) => [a.id, a.last_seen])).toEqual([
      ['ip:10.0.0.5', at(4000)],
      ['host:dc1', at(4000)],
      ['user:corp\\bob', at(4000)],
    ])
    const byEvents = list({ sort: 'events', limit: 3 })
    expect(byEvents.assets.map((a) => [a.id, a.events])).toEqual([
      ['process:c:\\windows\\explorer.exe', 4],
      ['user:corp\\bob', 4],
      ['host:ws1', 3],
    ])
    expect(byEvents.total).toBe(10)
    expect(list({ sort: 'value', kind: 'host' }).assets.map((a) => a.value)).toEqual(['DC1', 'WS1', 'WS2'])
    expect(list({ sort: 'value', kind: 'host', offset: 1, limit: 1 }).assets.map((a) => a.value)).toEqual([
      'WS1',
    ])
    expect(list({ kind: 'user', sort: 'value' }).assets.map((a) => [a.id, a.events])).toEqual([
      ['user:corp\\bob', 4],
      ['user:corp\\carol', 1],
    ])
    expect(list({ query: 'WHOAMI' }).assets.map((a) => a.id)).toEqual([
      'process:c:\\windows\\system32\\whoami.exe',
    ])
    expect(list({ query: '100%' }).total).toBe(0)
  })

  it('filters by criticality, tag and the analyst fields once set; sorts by alerts', () => {
    repo.update('host:ws2', { criticality: 'high', tags: ['pci', 'pci', 'finance'], owner: 'Finance IT' })
    repo.update('ip:10.0.0.5', { role: 'VPN gateway' })
    expect(list({ criticality: 'high' }).assets.map((a) => a.id)).toEqual(['host:ws2'])
    expect(list({ tag: 'PCI' }).assets.map((a) => a.id)).toEqual(['host:ws2'])
    expect(list({ query: 'finance it' }).assets.map((a) => a.id)).toEqual(['host:ws2'])
    expect(list({ query: 'vpn' }).assets.map((a) => a.id)).toEqual(['ip:10.0.0.5'])
    alerts.raise(alert('Whoami', 'ws2', null, 0), 0, null)
    alerts.raise(alert('Other', 'WS2', null, 0), 0, null)
    alerts.raise(alert('Cmd', 'ws1', 'corp\\BOB', 0), 0, null)
    const ranked = list({ sort: 'alerts', limit: 3 }).assets.map((a) => [a.id, a.alerts])
    expect(ranked).toEqual([
      ['host:ws2', 2],
      ['user:corp\\bob', 1],
      ['host:ws1', 1],
    ])
  })

  it("gets an asset's links both ways, alerts and incidents naming it, and recent events newest first", () => {
    const grouping = { group: { host: 'WS1' }, key: '{"host":"WS1"}', windowMs: 3600_000 }
    const raised = alerts.raise(alert('Whoami', 'WS1', 'CORP\\bob', 1000), 0, grouping)
    alerts.raise(alert('Elsewhere', 'WS2', null, 1000), 0, null)
    const page = repo.get('host:WS1', 2)
    expect(page.asset).toMatchObject({ id: 'host:ws1', value: 'WS1', events: 3, alerts: 1 })
    expect(page.links.map((l) => [l.asset.id, l.relation, l.direction, l.events])).toEqual([
      ['user:corp\\bob', 'logon', 'out', 3],
      ['process:c:\\windows\\explorer.exe', 'ran', 'out', 3],
      ['process:c:\\windows\\system32\\cmd.exe', 'ran', 'out', 2],
      ['process:c:\\windows\\system32\\whoami.exe', 'ran', 'out', 1],
    ])
    expect(page.alerts.map((a) => a.id)).toEqual([raised.id])
    expect(page.incidents.map((i) => i.id)).toEqual([alerts.get(raised.id)!.incident_id])
    expect(page.events.map((e) => [e.seq, e.timestamp, e.host, e.message])).toEqual([
      [3, at(2000), 'ws1', 'C:\\Windows\\System32\\cmd.exe started'],
      [2, at(1000), 'WS1', 'C:\\Windows\\System32\\whoami.exe started'],
    ])
    const process = repo.get('process:C:\\Windows\\System32\\cmd.exe', 50)
    expect(process.links.map((l) => [l.asset.id, l.relation, l.direction])).toEqual([
      ['host:ws1', 'ran', 'in'],
      ['user:corp\\bob', 'ran', 'in'],
      ['process:c:\\windows\\explorer.exe', 'spawned', 'in'],
    ])
    expect(process.alerts).toEqual([])
    expect(repo.get('user:corp\\bob', 0).asset.alerts).toBe(1)
    expect(repo.get('ip:::ffff:10.0.0.5', 0).asset.id).toBe('ip:10.0.0.5')
  })

  it('refuses unknown and malformed ids with a message saying what to do', () => {
    expect(refusal(() => handlers['assets:get']({ id: 'host:nowhere', events: 5 }))).toEqual({
      code: 'not_found',
      message: 'no asset host:nowhere (assets:list shows the known ones)',
    })
    expect(refusal(() => handlers['assets:get']({ id: 'router:r1', events: 5 }))).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('kind of host, ip, user, process, service') as unknown,
    })
    expect(refusal(() => handlers['assets:update']({ id: 'ip:not-an-ip', owner: 'x' })).code).toBe(
      'not_found',
    )
    expect(
      refusal(() => handlers['graph:get']({ center: 'host:nowhere', depth: 1, alerts: true, limit: 10 }))
        .code,
    ).toBe('not_found')
  })

  it('updates the analyst fields, keeps what is not sent, clears with null, and audits the change', () => {
    const { asset } = handlers['assets:update']({
      id: 'host:WS1',
      owner: 'Alice',
      criticality: 'critical',
      tags: ['dmz', 'dmz', 'web'],
      note: 'front door',
    })
    expect(asset).toMatchObject({
      id: 'host:ws1',
      owner: 'Alice',
      criticality: 'critical',
      role: null,
      tags: ['dmz', 'web'],
      note: 'front door',
      events: 3,
    })
    expect(asset.updated_at).not.toBeNull()
    const second = handlers['assets:update']({ id: 'host:ws1', owner: null, role: 'web server' }).asset
    expect(second).toMatchObject({
      owner: null,
      criticality: 'critical',
      role: 'web server',
      tags: ['dmz', 'web'],
    })
    const entries = audit.list(10)
    expect(entries.map((e) => [e.actor, e.action, e.object_type, e.object_id, e.details])).toEqual([
      ['tester', 'update', 'asset', 'host:ws1', { owner: null, role: 'web server' }],
      [
        'tester',
        'update',
        'asset',
        'host:ws1',
        { owner: 'Alice', criticality: 'critical', tags: ['dmz', 'dmz', 'web'], note: 'front door' },
      ],
    ])
    expect(audit.verify().intact).toBe(true)
  })

  it('walks the graph from a center to the depth asked, busiest links first, within the limit', () => {
    const one = graph({ center: 'host:ws1', depth: 1, alerts: false })
    expect(one.nodes.map((n) => n.id).sort()).toEqual(
      [
        'host:ws1',
        'user:corp\\bob',
        'process:c:\\windows\\explorer.exe',
        'process:c:\\windows\\system32\\cmd.exe',
        'process:c:\\windows\\system32\\whoami.exe',
      ].sort(),
    )
    expect(one.truncated).toBe(false)
    // Every link among the nodes, not only the ones walked.
    expect(one.edges).toContainEqual({
      source: 'process:c:\\windows\\explorer.exe',
      target: 'process:c:\\windows\\system32\\cmd.exe',
      relation: 'spawned',
      events: 2,
    })
    expect(one.edges).toHaveLength(8)
    const two = graph({ center: 'host:ws1', depth: 2, alerts: false })
    expect(one.nodes.map((n) => n.id)).not.toContain('host:dc1')
    expect(two.nodes.map((n) => n.id)).toEqual(
      expect.arrayContaining([
        'host:dc1',
        'ip:10.0.0.5',
        'host:ws2',
        'process:c:\\windows\\system32\\notepad.exe',
      ]),
    )
    expect(two.nodes.map((n) => n.id)).not.toContain('user:corp\\carol') // ws1 > explorer > ws2 > carol
    const three = graph({ center: 'host:ws1', depth: 3, alerts: false })
    expect(three.nodes.map((n) => n.id)).toContain('user:corp\\carol')
    const limited = graph({ center: 'host:ws1', depth: 2, alerts: false, limit: 3 })
    expect(limited.nodes.map((n) => n.id)).toEqual([
      'host:ws1',
      'user:corp\\bob',
      'process:c:\\windows\\explorer.exe',
    ])
    expect(limited.truncated).toBe(true)
    const hostsAndUsers = graph({ center: 'host:ws1', depth: 2, alerts: false, kinds: ['user', 'ip'] })
    expect(hostsAndUsers.nodes.map((n) => n.id)).toEqual(['host:ws1', 'user:corp\\bob', 'ip:10.0.0.5'])
  })

  it('without a center, shows the busiest assets and the links among them', () => {
    const busiest = graph({ limit: 3, alerts: false })
    expect(busiest.nodes.map((n) => [n.id, n.events])).toEqual([
      ['user:corp\\bob', 4],
      ['process:c:\\windows\\explorer.exe', 4],
      ['host:ws1', 3],
    ])
    expect(busiest.edges).toEqual([
      { source: 'host:ws1', target: 'user:corp\\bob', relation: 'logon', events: 3 },
      { source: 'host:ws1', target: 'process:c:\\windows\\explorer.exe', relation: 'ran', events: 3 },
    ])
    expect(busiest.truncated).toBe(true)
    const full = graph({ alerts: false })
    expect(full.nodes).toHaveLength(10)
    expect(full.truncated).toBe(false)
    expect(graph({ kinds: ['host'], alerts: false }).nodes.map((n) => n.label)).toEqual(['WS1', 'WS2', 'DC1'])
  })

  it('adds alert nodes to their host and user, newest first, at most 20 per asset', () => {
    for (let i = 0; i < GRAPH_ALERTS_PER_ASSET + 5; i++)
      alerts.raise(alert(`Rule ${i}`, 'WS1', null, i), 0, null)
    const shared = alerts.raise(alert('Shared', 'WS2', 'CORP\\carol', 0), 0, null)
    const around = graph({ center: 'host:ws2', depth: 1 })
    const alertNodes = around.nodes.filter((n) => n.kind === 'alert')
    expect(alertNodes).toEqual([
      {
        id: `alert:${shared.id}`,
        kind: 'alert',
        label: 'Shared',
        events: 1,
        alerts: 0,
        criticality: null,
        level: 'high',
      },
    ])
    expect(around.edges.filter((e) => e.relation === 'alert')).toEqual([
      { source: 'host:ws2', target: `alert:${shared.id}`, relation: 'alert', events: 1 },
      { source: 'user:corp\\carol', target: `alert:${shared.id}`, relation: 'alert', events: 1 },
    ])
    expect(around.nodes.find((n) => n.id === 'host:ws2')).toMatchObject({ alerts: 1, criticality: null })
    expect(around.truncated).toBe(false)
    const busy = graph({ center: 'host:ws1', depth: 1 })
    const ws1Alerts = busy.nodes.filter((n) => n.kind === 'alert')
    expect(ws1Alerts).toHaveLength(GRAPH_ALERTS_PER_ASSET)
    expect(ws1Alerts[0]!.label).toBe(`Rule ${GRAPH_ALERTS_PER_ASSET + 4}`)
    expect(busy.truncated).toBe(true)
    const capped = graph({ center: 'host:ws1', depth: 1, limit: 7 })
    expect(capped.nodes).toHaveLength(7)
    expect(capped.truncated).toBe(true)
  })

  it('takes an asset by hand before any event names it; events then count on it', async () => {
    const made = handlers['assets:create']({
      kind: 'host',
      value: ' FileSrv01 ',
      owner: 'Storage team',
      criticality: 'critical',
      role: null,
      tags: ['crown-jewel'],
      note: null,
    }).asset
    expect(made).toMatchObject({
      id: 'host:filesrv01',
      value: 'FileSrv01',
      events: 0,
      first_seen: null,
      last_seen: null,
      criticality: 'critical',
      tags: ['crown-jewel'],
    })
    expect(audit.list(1)[0]).toMatchObject({
      action: 'create',
      object_type: 'asset',
      object_id: 'host:filesrv01',
    })
    const input = { owner: null, criticality: null, role: null, tags: [], note: null }
    expect(
      refusal(() => handlers['assets:create']({ kind: 'host', value: 'FILESRV01', ...input })),
    ).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('host:filesrv01 is already in the inventory') as unknown,
    })
    expect(refusal(() => handlers['assets:create']({ kind: 'ip', value: '10.0.0.300', ...input })).code).toBe(
      'invalid_request',
    )
    expect(refusal(() => handlers['assets:create']({ kind: 'ip', value: '127.0.0.1', ...input })).code).toBe(
      'invalid_request',
    )
    expect(handlers['assets:create']({ kind: 'ip', value: '2001:DB8::1', ...input }).asset.id).toBe(
      'ip:2001:db8::1',
    )

    new EventsRepo(db).insertBatch([
      processStart('filesrv01', 'C:\\Windows\\System32\\net.exe', 'CORP\\dave', 9000),
    ])
    const indexer = new AssetIndexer({ db, rules: new RulesRepo(db), aliases: [], log: silentLogger })
    indexer.kick()
    await indexer.stop()
    const seen = repo.get('host:filesrv01', 10).asset
    expect(seen).toMatchObject({
      events: 1,
      first_seen: at(9000),
      last_seen: at(9000),
      owner: 'Storage team',
    })
  })
})
