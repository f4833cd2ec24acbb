import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AlertsRepo } from '../store/sqlite/alerts-repo'
import { AssetsRepo } from '../store/sqlite/assets-repo'
import { CasesRepo } from '../store/sqlite/cases-repo'
import { migrate } from '../store/sqlite/migrate'
import { migrations } from '../store/sqlite/migrations'
import { ReportsRepo } from '../store/sqlite/reports-repo'
import { MAX_ALERT_EVENTS, syncedAlertEvent } from './alert-events'
import { applyToLocal } from './apply-local'
import type { SyncKind, SyncRecord } from './records'

const open = (): Database.Database => {
  const db = new Database(':memory:')
  db.pragma('foreign_keys = ON')
  migrate(db, migrations, ':memory:')
  return db
}

const T0 = Date.parse('2026-12-01T10:00:00.000Z')

const record = (kind: SyncKind, id: string, version: number, body: object, deleted = false): SyncRecord => ({
  kind,
  id,
  version,
  updated_at: new Date(T0 + version * 1000).toISOString(),
  origin: 'console-a',
  deleted,
  body: JSON.parse(JSON.stringify(body)) as Record<string, unknown>,
})

/** An incident made on the "console" database, as its outbox would carry it. */
const makeIncident = (db: Database.Database, id: string, title: string): void => {
  db.prepare(
    `INSERT INTO incidents (id, title, severity, status, origin, group_json, created_at, updated_at, first_ts, last_ts)
     VALUES (?, ?, 'high', 'new', 'analyst', '{}', ?, ?, ?, ?)`,
  ).run(id, title, T0, T0, T0, T0)
}

describe('applyToLocal', () => {
  let source: Database.Database
  let target: Database.Database
  beforeEach(() => {
    source = open()
    target = open()
  })
  afterEach(() => {
    source.close()
    target.close()
  })

  const cases = (db: Database.Database) => new CasesRepo(db, new AlertsRepo(db))

  it('creates an incident with its comments, observables and evidence, then updates it from a newer version', () => {
    makeIncident(source, 'inc-1', 'Beacon to 203.0.113.9')
    const c = cases(source)
    c.comment('inc-1', 'Isolating the host', 'alice', T0 + 10)
    c.observe('inc-1', [{ type: 'ipv4', value: '203.0.113.9' }], T0 + 20)
    c.attach(
      'inc-1',
      {
        name: 'pcap',
        media_type: 'application/vnd.tcpdump.pcap',
        size: 3,
        sha256: 'a'.repeat(64),
        note: null,
        actor: 'alice',
      },
      T0 + 30,
    )
    expect(applyToLocal(target, record('incident', 'inc-1', 1, c.detail('inc-1')))).toBe('created')
    const got = cases(target).detail('inc-1')
    expect(got.incident).toMatchObject({ title: 'Beacon to 203.0.113.9', severity: 'high', status: 'new' })
    expect(got.comments.map((x) => x.body)).toEqual(['Isolating the host'])
    expect(got.observables.map((x) => x.value)).toEqual(['203.0.113.9'])
    expect(got.evidence.map((x) => x.sha256)).toEqual(['a'.repeat(64)])
    expect(
      target
        .prepare("SELECT origin, version FROM sync_applied WHERE kind = 'incident' AND id = 'inc-1'")
        .get(),
    ).toEqual({ origin: 'console-a', version: 1 })

    c.update(
      'inc-1',
      { status: 'triage', assignee: 'bob', tlp: 'red', pap: 'green', title: 'Beacon (C2)' },
      T0 + 40,
    )
    c.comment('inc-1', 'C2 confirmed', 'bob', T0 + 50)
    expect(applyToLocal(target, record('incident', 'inc-1', 2, c.detail('inc-1')))).toBe('updated')
    const newer = cases(target).detail('inc-1')
    expect(newer.incident).toMatchObject({
      title: 'Beacon (C2)',
      status: 'triage',
      assignee: 'bob',
      tlp: 'red',
      pap: 'green',
    })
    // The first comment is not added twice.
    expect(newer.comments.map((x) => x.body)).toEqual(['Isolating the host', 'C2 confirmed'])
    expect(newer.evidence).toHaveLength(1)
    expect(target.prepare('SELECT count(*) FROM incidents').pluck().get()).toBe(1)
  })

  it('applies removals: a removed observable and a retracted comment stay so under a later version still holding them', () => {
    makeIncident(source, 'inc-r', 'Removals')
    const c = cases(source)
    const said = c.comment('inc-r', 'secret text', 'alice', T0 + 10)
    c.observe(
      'inc-r',
      [
        { type: 'ipv4', value: '198.51.100.4' },
        { type: 'domain', value: 'oops.example' },
      ],
      T0 + 20,
    )
    const before = c.detail('inc-r')
    expect(applyToLocal(target, record('incident', 'inc-r', 1, before))).toBe('created')
    // A sync conflict kept versions of it, with the text, on both sides (the Sync view shows them).
    const conflict = JSON.stringify(record('incident', 'inc-r', 1, before))
    for (const db of [source, target])
      db.prepare(
        `INSERT INTO sync_conflicts (kind, object_id, local, remote, winner, detected_at)
         VALUES ('incident', 'inc-r', ?, ?, 'remote', 0)`,
      ).run(conflict, conflict)
    const kept = (db: Database.Database) =>
      JSON.stringify(db.prepare('SELECT local, remote FROM sync_conflicts').all())
    expect(kept(source)).toContain('secret text')
    c.unobserve('inc-r', 'domain', 'oops.example', 'bob', T0 + 30)
    c.retract('inc-r', said.id, 'bob', T0 + 40)
    expect(kept(source)).not.toContain('secret text')
    expect(kept(target)).toContain('secret text')
    expect(applyToLocal(target, record('incident', 'inc-r', 2, c.detail('inc-r')))).toBe('updated')
    const shown = (db: Database.Database) => {
      const d = cases(db).detail('inc-r')
      return { observables: d.observables.map((o) => o.value), comments: d.comments, removed: d.removed }
    }
    expect(shown(target)).toEqual(shown(source))
    expect(shown(target).observables).toEqual(['198.51.100.4'])
    expect(shown(target).comments[0]).toMatchObject({ body: '', retracted: { actor: 'bob' } })
    expect(JSON.stringify(target.prepare('SELECT body FROM incident_comments').all())).not.toContain('secret')
    expect(kept(target)).not.toContain('secret text')
    // A later version made before the removal was seen (another side's, say): nothing comes back.
    expect(applyToLocal(target, record('incident', 'inc-r', 3, before))).toBe('updated')
    expect(shown(target)).toEqual(shown(source))
    // Added again after the removal: a new add, applied.
    c.observe('inc-r', [{ type: 'domain', value: 'oops.example' }], T0 + 50)
    expect(applyToLocal(target, record('incident', 'inc-r', 4, c.detail('inc-r')))).toBe('updated')
    expect(shown(target).observables).toEqual(['oops.example', '198.51.100.4'])
  })

  it('skips an older version and the same version again', () => {
    makeIncident(source, 'inc-1', 'Old title')
    const old = cases(source).detail('inc-1')
    cases(source).update('inc-1', { title: 'New title' }, T0 + 5)
    expect(applyToLocal(target, record('incident', 'inc-1', 3, cases(source).detail('inc-1')))).toBe(
      'created',
    )
    expect(applyToLocal(target, record('incident', 'inc-1', 2, old))).toBe('skipped')
    expect(applyToLocal(target, record('incident', 'inc-1', 3, old))).toBe('skipped')
    expect(cases(target).detail('inc-1').incident.title).toBe('New title')
  })

  it('closes a deleted incident rather than removing it', () => {
    makeIncident(source, 'inc-1', 'Beacon')
    applyToLocal(target, record('incident', 'inc-1', 1, cases(source).detail('inc-1')))
    expect(applyToLocal(target, record('incident', 'inc-1', 2, {}, true))).toBe('updated')
    expect(cases(target).detail('inc-1').incident.status).toBe('closed')
    // A tombstone of something never seen here makes nothing.
    expect(applyToLocal(target, record('incident', 'inc-9', 1, {}, true))).toBe('skipped')
    expect(target.prepare("SELECT count(*) FROM incidents WHERE id = 'inc-9'").pluck().get()).toBe(0)
  })

  it('creates, updates, skips and closes an alert', () => {
    const alert = {
      seq: 7,
      id: 'al-1',
      created_at: '2026-12-01T10:00:00.000Z',
      updated_at: '2026-12-01T10:00:00.000Z',
      timestamp: '2026-12-01T09:59:00.000Z',
      last_timestamp: '2026-12-01T09:59:30.000Z',
      origin: 'sigma',
      rule_id: 'r-1',
      rule_key: 'r-1',
      title: 'Encoded PowerShell',
      level: 'high',
      tags: ['attack.t1059'],
      techniques: ['T1059'],
      tactics: [],
      author: null,
      license: null,
      host: 'ws01',
      user: 'alice',
      event_id: 'ev-1',
      event_ids: ['ev-1'],
      count: 1,
      group: null,
      status: 'new',
      incident_id: null,
      note: null,
    }
    expect(applyToLocal(target, record('alert', 'al-1', 1, alert))).toBe('created')
    const alerts = new AlertsRepo(target)
    expect(alerts.get('al-1')).toMatchObject({ title: 'Encoded PowerShell', level: 'high', host: 'ws01' })
    expect(
      applyToLocal(target, record('alert', 'al-1', 2, { ...alert, status: 'acknowledged', note: 'seen' })),
    ).toBe('updated')
    expect(applyToLocal(target, record('alert', 'al-1', 1, { ...alert, status: 'new' }))).toBe('skipped')
    expect(alerts.get('al-1')).toMatchObject({ status: 'acknowledged', note: 'seen' })
    expect(applyToLocal(target, record('alert', 'al-1', 3, {}, true))).toBe('updated')
    expect(alerts.get('al-1')?.status).toBe('closed')
  })

  it('creates and updates a report keeping its version number and history', () => {
    const reports = new ReportsRepo(source)
    const made = reports.create(
      {
        title: 'APT brief',
        body: 'First draft',
        tlp: 'amber',
        techniques: ['T1059'],
        labels: ['apt'],
        observables: [{ type: 'domain', value: 'evil.example' }],
        operation_id: null,
        incidents: [],
        assets: ['host:ws01'],
      },
      'alice',
      T0,
    )
    expect(applyToLocal(target, record('report', made.id, 1, made))).toBe('created')
    const local = new ReportsRepo(target)
    expect(local.get(made.id)).toMatchObject({ title: 'APT brief', version: 1, assets: ['host:ws01'] })
    expect(local.get(made.id)?.observables.map((o) => o.value)).toEqual(['evil.example'])
    const changed = reports.update(made.id, 1, { body: 'Second draft', status: 'review' }, 'alice', T0 + 10)
    expect(applyToLocal(target, record('report', made.id, 2, changed))).toBe('updated')
    expect(local.get(made.id)).toMatchObject({ body: 'Second draft', status: 'review', version: 2 })
    expect(local.versions(made.id)?.map((v) => v.version)).toEqual([2, 1])
    expect(applyToLocal(target, record('report', made.id, 1, made))).toBe('skipped')
    // A tombstone only marks it.
    expect(applyToLocal(target, record('report', made.id, 3, {}, true))).toBe('updated')
    expect(local.get(made.id)?.body).toBe('Second draft')
    expect(target.prepare('SELECT deleted FROM sync_applied WHERE id = ?').pluck().get(made.id)).toBe(1)
  })

  it("creates and updates an asset's manual fields, from a bundle's Asset or the outbox's { asset }", () => {
    const asset = {
      id: 'host:ws01',
      kind: 'host',
      value: 'ws01',
      owner: 'it-ops',
      criticality: 'high',
      role: 'workstation',
      tags: ['finance'],
      note: null,
      updated_at: '2026-12-01T10:00:00.000Z',
    }
    expect(applyToLocal(target, record('asset', 'host:ws01', 1, asset))).toBe('created')
    const assets = new AssetsRepo(target, new AlertsRepo(target))
    expect(assets.get('host:ws01', 0).asset).toMatchObject({
      owner: 'it-ops',
      criticality: 'high',
      tags: ['finance'],
    })
    expect(
      applyToLocal(
        target,
        record('asset', 'host:ws01', 2, { asset: { ...asset, owner: 'secops' }, events: [] }),
      ),
    ).toBe('updated')
    expect(assets.get('host:ws01', 0).asset.owner).toBe('secops')
    expect(applyToLocal(target, record('asset', 'host:ws01', 1, asset))).toBe('skipped')
    // An id that names no asset kind, or a value the inventory does not keep, makes nothing.
    expect(applyToLocal(target, record('asset', 'ws02', 1, { ...asset, id: 'ws02' }))).toBe('skipped')
    expect(applyToLocal(target, record('asset', 'ip:127.0.0.1', 1, { ...asset, id: 'ip:127.0.0.1' }))).toBe(
      'skipped',
    )
  })

  it('leaves audit entries out of the local audit log', () => {
    const entry = { seq: 1, at: '2026-12-01T10:00:00.000Z', actor: 'alice', action: 'comment', details: {} }
    expect(applyToLocal(target, record('audit', 'console-a/1', 1, entry))).toBe('skipped')
    expect(target.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(0)
  })
  it("keeps a case's description and another installation's timeline actions, shown once", () => {
    makeIncident(source, 'inc-t', 'Two hosts')
    cases(source).update('inc-t', { description: '## Scope\n\nws-1, ws-2' }, T0 + 5)
    const detail = cases(source).detail('inc-t')
    const action = {
      at: new Date(T0 + 7).toISOString(),
      kind: 'action',
      text: 'core-bob status {"status":"triage"}',
      ref: null,
    }
    const body = { ...detail, timeline: [...detail.timeline, action] }
    expect(applyToLocal(target, record('incident', 'inc-t', 1, body), T0)).toBe('created')
    expect(applyToLocal(target, record('incident', 'inc-t', 2, body), T0)).toBe('updated')
    const got = cases(target).detail('inc-t')
    expect(got.incident.description).toBe('## Scope\n\nws-1, ws-2')
    expect(got.timeline.filter((t) => t.kind === 'action').map((t) => t.text)).toEqual([action.text])
  })

  it("keeps a pushed alert's events apart from its own events, within the bounds", () => {
    const event = (n: number) => ({
      seq: n,
      id: `ev-${n}`,
      kind: 'event',
      timestamp: new Date(T0 + n).toISOString(),
      received_at: new Date(T0 + n).toISOString(),
      listener: 'http',
      source: null,
      host: 'ws-5',
      severity: null,
      message: `event ${n}`,
      fields: { n },
    })
    const events = Array.from({ length: 30 }, (_, n) => event(n))
    const alert = {
      id: 'al-1',
      title: 'Whoami',
      level: 'medium',
      timestamp: new Date(T0).toISOString(),
      event_id: 'ev-0',
      event_ids: events.map((e) => e.id),
      events: [...events, { id: 'broken' }],
    }
    expect(applyToLocal(target, record('alert', 'al-1', 1, alert), T0)).toBe('created')
    const kept = target.prepare('SELECT event_id FROM synced_alert_events ORDER BY ts').all() as Array<{
      event_id: string
    }>
    expect(kept.map((k) => k.event_id)).toEqual(events.slice(0, MAX_ALERT_EVENTS).map((e) => e.id))
    expect(syncedAlertEvent(target, 'ev-3')).toMatchObject({ host: 'ws-5', fields: { n: 3 } })
    // Never in the events table (detection, search and the inventory read that one).
    expect(target.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 0 })
  })
})
