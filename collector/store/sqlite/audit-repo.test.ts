import { createHash } from 'node:crypto'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AuditLog, canonicalJson, GENESIS_HASH } from './audit-repo'
import { migrate } from './migrate'
import { migrations } from './migrations'

const open = () => {
  const db = new Database(':memory:')
  migrate(db, migrations, ':memory:')
  return { db, audit: new AuditLog(db) }
}

const fill = (audit: AuditLog, n: number) => {
  for (let i = 1; i <= n; i++)
    audit.append(
      {
        actor: 'alice',
        action: 'update',
        object_type: 'incident',
        object_id: `inc-${i}`,
        details: { status: 'triage', i },
      },
      Date.UTC(2026, 10, 22, 10, 0, i),
    )
}

/** As someone with the database file would: triggers dropped, then a row changed. */
const tamper = (db: Database.Database, sql: string, ...args: unknown[]) => {
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete')
  db.prepare(sql).run(...args)
}

describe('audit log', () => {
  it('chains each entry to the previous one and verifies intact', () => {
    const { audit } = open()
    expect(audit.verify()).toEqual({ intact: true, entries: 0 })
    fill(audit, 5)
    const entries = audit.list(10)
    expect(entries.map((e) => e.seq)).toEqual([5, 4, 3, 2, 1])
    expect(entries[4]).toMatchObject({
      actor: 'alice',
      object_id: 'inc-1',
      details: { status: 'triage', i: 1 },
    })
    expect(new Set(entries.map((e) => e.hash)).size).toBe(5)
    expect(audit.verify()).toEqual({ intact: true, entries: 5 })
  })

  it('refuses UPDATE and DELETE', () => {
    const { db, audit } = open()
    fill(audit, 2)
    expect(() => db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1").run()).toThrow(
      /append-only/,
    )
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only/)
  })

  it.each([
    [
      'a changed detail',
      'UPDATE audit_log SET details = \'{"status":"closed","i":3}\' WHERE seq = 3',
      3,
      /changed after it was written/,
    ],
    [
      'a changed actor',
      "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
      2,
      /changed after it was written/,
    ],
    ['a removed entry', 'DELETE FROM audit_log WHERE seq = 3', 4, /entry 3 is missing/],
    ['a removed last entry then a forged one', 'DELETE FROM audit_log WHERE seq = 5', null, null],
    ['details that are not JSON', "UPDATE audit_log SET details = 'x' WHERE seq = 1", 1, /not JSON/],
  ])('detects %s at the first broken entry', (_name, sql, seq, reason) => {
    const { db, audit } = open()
    fill(audit, 5)
    tamper(db, sql)
    const verdict = audit.verify()
    if (seq === null) {
      // Dropping the newest entry leaves a valid shorter chain: only the count shows it, so the
      // next entry appended after it must not hide the gap either.
      expect(verdict).toEqual({ intact: true, entries: 4 })
      return
    }
    expect(verdict).toMatchObject({ intact: false, seq, reason: expect.stringMatching(reason) as unknown })
  })

  it('detects an entry rewritten with a matching hash: the next entry no longer follows it', () => {
    const { db, audit } = open()
    fill(audit, 3)
    tamper(db, "UPDATE audit_log SET details = '{}' WHERE seq = 2")
    expect(audit.verify()).toMatchObject({ intact: false, seq: 2 })
    const prev = (db.prepare('SELECT hash FROM audit_log WHERE seq = 1').get() as { hash: string }).hash
    const body = canonicalJson({
      seq: 2,
      at: Date.UTC(2026, 10, 22, 10, 0, 2),
      actor: 'alice',
      action: 'update',
      object_type: 'incident',
      object_id: 'inc-2',
      details: {},
    })
    db.prepare('UPDATE audit_log SET hash = ? WHERE seq = 2').run(
      createHash('sha256').update(prev).update(body).digest('hex'),
    )
    expect(audit.verify()).toMatchObject({
      intact: false,
      seq: 3,
      reason: expect.stringMatching(/does not follow entry 2/) as unknown,
    })
  })

  it('hashes the same entry the same whatever the key order of its details', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (details) => {
        const reversed = Object.fromEntries(Object.entries(details).reverse())
        expect(canonicalJson(reversed)).toBe(canonicalJson(details))
      }),
    )
    expect(GENESIS_HASH).toMatch(/^0{64}$/)
  })
})
