import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Audited } from '../../detect/rule-calls'
import { AuditLog } from '../../store/sqlite/audit-repo'
import { ReportsRepo } from '../../store/sqlite/reports-repo'
import { SqliteStore } from '../../store/sqlite/sqlite-store'
import { RulesRepo } from '../../store/sqlite/rules-repo'
import { gzipSync } from 'node:zlib'
import { loadSigningKey } from '../keys/keys'
import { BUNDLE_MAGIC, MANIFEST, SIGNATURE, packEntries, unpackEntries, writeBundle } from './format'
import { SyncStore } from '../connector/sync-store'
import { BundleService, type BundleMode } from './bundle-service'

const root = mkdtempSync(join(tmpdir(), 'outpost-bundles-'))
const stores: SqliteStore[] = []
afterAll(() => {
  for (const store of stores) store.close()
  rmSync(root, { recursive: true, force: true })
})

let n = 0
/** One installation: its own data dir, store and bundle service. */
const installation = (mode: BundleMode = 'two-way') => {
  const dataDir = join(root, `site-${++n}`)
  mkdirSync(dataDir)
  const store = SqliteStore.open(join(dataDir, 'outpost.sqlite'), { synchronous: 'normal' })
  stores.push(store)
  const audit = new AuditLog(store.db)
  const audited: Audited = (entry, change) =>
    store.db.transaction(() => {
      const result = change()
      audit.append({ ...(typeof entry === 'function' ? entry(result) : entry), actor: 'test' })
      return result
    })()
  /** Times the service said the watchlist changed (IOC matching reloads then). */
  const changes = { watchlist: 0 }
  const service = new BundleService({
    db: store.db,
    dataDir,
    audited,
    mode,
    evidenceDir: join(dataDir, 'evidence'),
    watchlistChanged: () => void changes.watchlist++,
  })
  const count = (table: string): number =>
    store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number
  return { dataDir, db: store.db, service, audit, count, changes }
}

type Site = ReturnType<typeof installation>

/** What the sync service does on every audited change: the report's new version is queued. */
const queued = (site: Site, id: string) =>
  new SyncStore(site.db).enqueue('report', id, new ReportsRepo(site.db).get(id)!)

const addReport = (site: Site, title: string) =>
  new ReportsRepo(site.db).create(
    {
      title,
      body: 'Seen on the perimeter.',
      tlp: 'amber',
      techniques: ['T1059'],
      labels: [],
      observables: [],
      operation_id: null,
      incidents: [],
      assets: [],
    },
    'alice',
  )

/** A console with two reports and a core trusting its key for records. */
const pair = () => {
  const consoleSite = installation()
  const core = installation()
  addReport(consoleSite, 'Phishing wave')
  addReport(consoleSite, 'Beaconing to 203.0.113.7')
  core.service.trust('console-1', consoleSite.service.showKey().public_key, 'records')
  return { consoleSite, core }
}

const file = (name: string) => join(root, name)

describe('keys', () => {
  it('makes the signing key once, 0600, with a key id and a fingerprint to read aloud', () => {
    const site = installation()
    const shown = site.service.showKey()
    expect(shown.public_key).toMatch(/^ed25519:[A-Za-z0-9+/]{43}=$/)
    expect(shown.key_id).toMatch(/^[0-9a-f]{16}$/)
    expect(shown.fingerprint).toMatch(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/)
    const keyFile = join(site.dataDir, 'keys', 'signing.key')
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(readFileSync(keyFile, 'utf8')).toContain('BEGIN PRIVATE KEY')
    // Never in SQLite: nothing in the database holds the private key.
    const dump = JSON.stringify(site.db.prepare('SELECT * FROM trusted_keys').all())
    expect(dump).not.toContain('PRIVATE')
    // A second service on the same data dir reads the same key.
    const again = new BundleService({
      db: site.db,
      dataDir: site.dataDir,
      audited: (_e, change) => change(),
      mode: 'two-way',
      evidenceDir: join(site.dataDir, 'evidence'),
    })
    expect(again.showKey()).toEqual(shown)
  })

  it('trusts, lists and revokes keys, each change audited; bad keys and names refused clearly', () => {
    const a = installation()
    const b = installation()
    const before = a.count('audit_log')
    const key = a.service.trust('core', b.service.showKey().public_key, 'content')
    expect(key).toMatchObject({ name: 'core', key_id: b.service.showKey().key_id, scope: 'content' })
    expect(a.service.keys.list().map((k) => k.name)).toEqual(['core'])
    expect(a.service.trust('core', b.service.showKey().public_key, 'both').scope).toBe('both')
    expect(() => a.service.trust('core', a.service.showKey().public_key, 'both')).toThrow(
      /a different key is already trusted as "core".*outpost keys revoke core/,
    )
    expect(() => a.service.trust('other', 'ed25519:AAAA', 'both')).toThrow(
      /3 bytes after base64 decoding, expected 32/,
    )
    expect(() => a.service.trust('bad name', b.service.showKey().public_key, 'both')).toThrow(/no spaces/)
    expect(a.service.revoke('core').key_id).toBe(key.key_id)
    expect(a.service.keys.list()).toEqual([])
    expect(() => a.service.revoke('core')).toThrow(/no trusted key named "core"/)
    const actions = (
      a.db.prepare('SELECT action, object_type FROM audit_log WHERE seq > ?').all(before) as Array<{
        action: string
        object_type: string
      }>
    ).map((e) => `${e.action} ${e.object_type}`)
    expect(actions).toEqual(['trust key', 'trust key', 'revoke key'])
  })
})

describe('records bundles', () => {
  it('exports a signed bundle, previews it, imports it, and a second import adds nothing', async () => {
    const { consoleSite, core } = pair()
    const out = file('records-1.bundle')
    const exported = await consoleSite.service.exportRecords({ out, kinds: ['report'] })
    expect(exported.counts).toMatchObject({ records: 2, report: 2 })
    expect(readFileSync(out).subarray(0, BUNDLE_MAGIC.length)).toEqual(BUNDLE_MAGIC)

    const preview = await core.service.preview(out)
    expect(preview.counts).toEqual({ new: 2, changed: 0, unchanged: 0, conflict: 0 })
    expect(preview.bundle).toMatchObject({ kind: 'records', signer: { name: 'console-1' } })
    expect(core.count('sync_records')).toBe(0) // a preview stores nothing

    const first = await core.service.import(out)
    expect(first).toMatchObject({ applied: 2, already_imported: false, counts: { new: 2, unchanged: 0 } })
    expect(core.count('sync_records')).toBe(2)
    const second = await core.service.import(out)
    expect(second).toMatchObject({
      applied: 0,
      already_imported: true,
      counts: { new: 0, changed: 0, unchanged: 2, conflict: 0 },
    })
    expect((await core.service.preview(out)).already_imported).toBe(true)
    expect(core.count('sync_records')).toBe(2)
    expect(core.count('bundle_imports')).toBe(1)
    // The record is what the console has, as a SyncRecord.
    const stored = core.db.prepare("SELECT * FROM sync_records WHERE kind = 'report'").all() as Array<{
      origin: string
      version: number
      body: string
    }>
    expect(stored.map((r) => (JSON.parse(r.body) as { title: string }).title).sort()).toEqual([
      'Beaconing to 203.0.113.7',
      'Phishing wave',
    ])
    // On the console's online version line: its sync node id, its first version.
    expect(consoleSite.service.origin()).toBe(new SyncStore(consoleSite.db).nodeId())
    expect(stored.every((r) => r.origin === consoleSite.service.origin() && r.version === 1)).toBe(true)
  })

  // Versions are the online sync line's (sync_versions): they rise when a change is queued.
  it('versions rise only when an object changed; the preview shows changed fields', async () => {
    const { consoleSite, core } = pair()
    const first = file('v1.bundle')
    await consoleSite.service.exportRecords({ out: first, kinds: ['report'] })
    await core.service.import(first)
    const reports = new ReportsRepo(consoleSite.db)
    const [report] = reports.list({ limit: 10 }).reports
    reports.update(report!.id, report!.version, { title: 'Phishing wave, second stage' }, 'alice')
    queued(consoleSite, report!.id)
    const second = file('v2.bundle')
    await consoleSite.service.exportRecords({ out: second, kinds: ['report'] })
    const preview = await core.service.preview(second)
    expect(preview.counts).toEqual({ new: 0, changed: 1, unchanged: 1, conflict: 0 })
    const changed = preview.items.find((i) => i.status === 'changed')!
    expect(changed).toMatchObject({ incoming_version: '2', stored_version: '1', winner: 'incoming' })
    expect(changed.fields).toEqual(expect.arrayContaining(['title', 'version']))
    expect((await core.service.import(second)).applied).toBe(1)
  })

  it('a record from another origin is a conflict resolved by resolveConflict, with its fields', async () => {
    const { consoleSite, core } = pair()
    const out = file('conflict-a.bundle')
    await consoleSite.service.exportRecords({ out, kinds: ['report'] })
    await core.service.import(out)
    // Another console edited the same report (same id) twice: version 3 beats version 1.
    const row = core.db.prepare("SELECT id, body FROM sync_records WHERE kind = 'report' LIMIT 1").get() as {
      id: string
      body: string
    }
    const other = installation()
    core.service.trust('console-2', other.service.showKey().public_key, 'both')
    other.db.prepare("INSERT INTO sync_versions (kind, id, version) VALUES ('report', ?, 3)").run(row.id)
    const body = JSON.parse(row.body) as Record<string, unknown>
    // Put the same report into the other console, edited, by copying its row.
    const source = consoleSite.db.prepare('SELECT * FROM reports WHERE id = ?').get(row.id) as Record<
      string,
      unknown
    >
    other.db
      .prepare(
        `INSERT INTO reports (id, title, body, status, tlp, author, techniques, labels, version, created_at, updated_at)
         VALUES (@id, 'Edited elsewhere', @body, @status, @tlp, @author, @techniques, @labels, @version, @created_at, @updated_at)`,
      )
      .run(source)
    const theirs = file('conflict-b.bundle')
    await other.service.exportRecords({ out: theirs, kinds: ['report'] })
    const preview = await core.service.preview(theirs)
    expect(preview.counts.conflict).toBe(1)
    const conflict = preview.items[0]!
    expect(conflict).toMatchObject({
      status: 'conflict',
      incoming_version: '3',
      stored_version: '1',
      winner: 'incoming',
    })
    expect(conflict.fields).toContain('title')
    expect(body.title).not.toBe('Edited elsewhere')
    await core.service.import(theirs)
    const after = core.db.prepare('SELECT origin, body FROM sync_records WHERE id = ?').get(row.id) as {
      origin: string
      body: string
    }
    expect(after.origin).toBe(other.service.origin())
    expect((JSON.parse(after.body) as { title: string }).title).toBe('Edited elsewhere')
  })

  it('numbers its bundles; --since N carries what changed after bundle N, --since a time what changed since', async () => {
    const { consoleSite } = pair()
    const exportReports = (name: string, since?: string) =>
      consoleSite.service.exportRecords({ out: file(name), kinds: ['report'], since })
    expect(await exportReports('n1.bundle')).toMatchObject({ version: '1', counts: { records: 2 } })
    expect(await exportReports('n2.bundle', '1')).toMatchObject({ version: '2', counts: { records: 0 } })
    addReport(consoleSite, 'Third report')
    const reports = new ReportsRepo(consoleSite.db)
    const old = reports.list({ limit: 10 }).reports.find((r) => r.title === 'Phishing wave')!
    reports.update(old.id, old.version, { title: 'Phishing wave, updated' }, 'alice')
    queued(consoleSite, old.id)
    expect(await exportReports('n3.bundle', '2')).toMatchObject({ version: '3', counts: { records: 2 } })
    // After bundle 1: the same two; since the epoch: all three; since the future: none.
    expect((await exportReports('n4.bundle', '1')).counts.records).toBe(2)
    expect((await exportReports('n5.bundle', '1970-01-01')).counts.records).toBe(3)
    expect((await exportReports('n6.bundle', '2999-01-01')).counts.records).toBe(0)
  })

  it('refuses --since that is neither a time nor an earlier bundle', async () => {
    const { consoleSite } = pair()
    await expect(
      consoleSite.service.exportRecords({ out: file('x.bundle'), since: 'yesterday' }),
    ).rejects.toThrow(
      /--since "yesterday" is neither an ISO-8601 time .* nor the number of an earlier bundle/,
    )
    await expect(consoleSite.service.exportRecords({ out: file('x.bundle'), since: '4' })).rejects.toThrow(
      /--since 4: this installation has written 0 records bundles so far/,
    )
  })
})

describe('tampering: every altered bundle is refused with a clear error and nothing is stored', () => {
  const tamper = async (change: (bytes: Buffer) => Buffer, expected: RegExp): Promise<void> => {
    const { consoleSite, core } = pair()
    const out = file(`tamper-${++n}.bundle`)
    await consoleSite.service.exportRecords({ out, kinds: ['report'] })
    const bad = file(`tampered-${n}.bundle`)
    writeFileSync(bad, change(readFileSync(out)))
    const auditBefore = core.count('audit_log')
    await expect(core.service.preview(bad)).rejects.toThrow(expected)
    await expect(core.service.import(bad)).rejects.toThrow(expected)
    expect(core.count('sync_records')).toBe(0)
    expect(core.count('bundle_imports')).toBe(0)
    expect(core.count('audit_log')).toBe(auditBefore)
    // The good one still imports.
    expect((await core.service.import(out)).applied).toBe(2)
  }

  /** Rebuilds the bundle with one entry's bytes changed. */
  const editEntry = (name: string, edit: (data: Buffer) => Buffer) => (bytes: Buffer) =>
    packEntries(
      unpackEntries(bytes, 'x').map((e) => (e.name === name ? { name, data: edit(Buffer.from(e.data)) } : e)),
    )
  const flipLast = (data: Buffer): Buffer => {
    data[data.length - 1] = data[data.length - 1]! ^ 0x01
    return data
  }

  it('a flipped byte in an entry', () =>
    tamper(editEntry('records.ndjson.gz', flipLast), /entry records\.ndjson\.gz does not match its SHA-256/))

  it('a changed manifest', () =>
    tamper(
      editEntry(MANIFEST, (data) => Buffer.from(data.toString().replace('"records":2', '"records":3'))),
      /the signature does not match the manifest .*altered or damaged after signing/,
    ))

  it('a flipped byte in the signature', () =>
    tamper(
      editEntry(SIGNATURE, (data) => {
        const sig = JSON.parse(data.toString()) as { signature: string }
        const raw = Buffer.from(sig.signature, 'base64')
        raw[0] = raw[0]! ^ 0x01
        return Buffer.from(JSON.stringify({ ...sig, signature: raw.toString('base64') }))
      }),
      /the signature does not match the manifest/,
    ))

  it('an unsigned bundle', () =>
    tamper(
      (bytes) => packEntries(unpackEntries(bytes, 'x').filter((e) => e.name !== SIGNATURE)),
      /it is unsigned \(no manifest\.sig\); only signed bundles are imported/,
    ))

  it('an entry added after signing', () =>
    tamper(
      (bytes) => packEntries([...unpackEntries(bytes, 'x'), { name: 'extra.txt', data: Buffer.from('hi') }]),
      /entry extra\.txt is not listed in the signed manifest/,
    ))

  it('a truncated file and a file that is no bundle', () =>
    tamper((bytes) => bytes.subarray(0, bytes.length - 10), /truncated/).then(() =>
      tamper(() => Buffer.from('{"hello": 1}'), /not an Outpost bundle/),
    ))

  it('a bundle signed by an untrusted key names the key id and the command to trust it', async () => {
    const { consoleSite } = pair()
    const stranger = installation()
    const out = file('untrusted.bundle')
    await consoleSite.service.exportRecords({ out, kinds: ['report'] })
    const { key_id, fingerprint, public_key } = consoleSite.service.showKey()
    const error = await stranger.service.import(out).then(
      () => undefined,
      (e: Error) => e,
    )
    expect(error?.message).toContain(`signed by key ${key_id}, which is not trusted here`)
    expect(error?.message).toContain(`fingerprint ${fingerprint}`)
    expect(error?.message).toContain(`outpost keys trust NAME ${public_key}`)
    expect(stranger.count('sync_records')).toBe(0)
  })

  it('a key trusted for content only does not sign records', async () => {
    const consoleSite = installation()
    const core = installation()
    addReport(consoleSite, 'x')
    core.service.trust('c', consoleSite.service.showKey().public_key, 'content')
    const out = file('scope.bundle')
    await consoleSite.service.exportRecords({ out })
    await expect(core.service.import(out)).rejects.toThrow(
      /trusted for content bundles only, this is a records bundle/,
    )
  })

  it('a revoked key no longer signs anything accepted', async () => {
    const { consoleSite, core } = pair()
    const out = file('revoked.bundle')
    await consoleSite.service.exportRecords({ out })
    core.service.revoke('console-1')
    await expect(core.service.import(out)).rejects.toThrow(/not trusted here/)
  })
})

describe('signed but malformed', () => {
  it('refuses a record that is not JSON or not a SyncRecord, naming it, and stores nothing', async () => {
    const { consoleSite, core } = pair()
    const key = loadSigningKey(consoleSite.dataDir)
    const bundle = (ndjson: string) => {
      const out = file(`malformed-${++n}.bundle`)
      const { bytes } = writeBundle(
        {
          kind: 'records',
          version: '1',
          origin: 'x',
          counts: {},
          entries: [{ name: 'records.ndjson.gz', data: gzipSync(ndjson) }],
        },
        key,
      )
      writeFileSync(out, bytes)
      return out
    }
    const good = JSON.stringify({
      kind: 'report',
      id: 'r',
      version: 1,
      updated_at: '2026-12-07T00:00:00Z',
      origin: 'x',
      deleted: false,
      body: {},
    })
    await expect(core.service.import(bundle(`${good}\n{nope`))).rejects.toThrow(/record 2 is not JSON/)
    await expect(core.service.import(bundle(`${good}\n{"kind":"cat","id":"1"}`))).rejects.toThrow(
      /record 2 is not a SyncRecord/,
    )
    expect(core.count('sync_records')).toBe(0)
    expect((await core.service.import(bundle(good))).applied).toBe(1)
  })
})

describe('data-diode mode', () => {
  it('an export-only console refuses imports; an import-only core refuses exports', async () => {
    const consoleSite = installation('export-only')
    const core = installation('import-only')
    addReport(consoleSite, 'one way')
    core.service.trust('console', consoleSite.service.showKey().public_key, 'both')
    consoleSite.service.trust('core', core.service.showKey().public_key, 'both')
    const out = file('diode.bundle')
    await consoleSite.service.exportRecords({ out })
    expect((await core.service.import(out)).applied).toBeGreaterThan(0)
    await expect(core.service.exportRecords({ out: file('back.bundle') })).rejects.toThrow(
      /this installation is import-only \(bundles\.mode in config\.yaml\): it does not export bundles/,
    )
    await expect(consoleSite.service.import(out)).rejects.toThrow(/is export-only .*does not import bundles/)
    await expect(consoleSite.service.preview(out)).rejects.toThrow(/export-only/)
    await expect(
      core.service.exportContent({ type: 'watchlist', in: 'x', version: '1', out: file('c.bundle') }),
    ).rejects.toThrow(/import-only/)
  })
})

describe('content bundles', () => {
  const watchlist = (name: string, text: string): string => {
    const path = file(name)
    writeFileSync(path, text)
    return path
  }

  it('installs watchlist versions, keeps them, rolls back, and is idempotent', async () => {
    const publisher = installation()
    const core = installation()
    core.service.trust('intel', publisher.service.showKey().public_key, 'content')
    const v1 = watchlist(
      'iocs.csv',
      'type,value,source,valid_until,level\nip,203.0.113.7,CERT,2027-01-01,Critical\ndomain,Evil.Example.com,CERT,,\nsha256,' +
        'a'.repeat(64) +
        ',vt,,\n',
    )
    await publisher.service.exportContent({
      type: 'watchlist',
      in: v1,
      version: '1',
      out: file('wl1.bundle'),
    })
    const v2 = watchlist('iocs.json', JSON.stringify([{ type: 'url', value: 'http://evil.example.com/x' }]))
    await publisher.service.exportContent({
      type: 'watchlist',
      in: v2,
      version: '2',
      name: 'iocs',
      out: file('wl2.bundle'),
    })

    const preview = await core.service.preview(file('wl1.bundle'))
    expect(preview.items[0]).toMatchObject({
      kind: 'watchlist',
      id: 'iocs',
      status: 'new',
      incoming_version: '1',
    })
    expect((await core.service.import(file('wl1.bundle'))).applied).toBe(1)
    expect(core.service.watchlist({ limit: 100 }).indicators.map((i) => `${i.type}:${i.value}`)).toEqual([
      'domain:evil.example.com',
      'ip:203.0.113.7',
      `sha256:${'a'.repeat(64)}`,
    ])
    expect(core.service.watchlist({ limit: 100 }).indicators[1]).toMatchObject({
      source: 'CERT',
      valid_until: '2027-01-01T00:00:00.000Z',
      version: '1',
      level: 'critical',
    })
    expect(core.service.watchlist({ limit: 100 }).indicators[0]!.level).toBeNull()
    expect(core.changes.watchlist).toBe(1)
    const again = await core.service.import(file('wl1.bundle'))
    expect(again).toMatchObject({ applied: 0, already_imported: true, counts: { unchanged: 1 } })
    expect(core.changes.watchlist).toBe(1)

    await core.service.import(file('wl2.bundle'))
    expect(core.changes.watchlist).toBe(2)
    expect(core.service.watchlist({ limit: 100 }).indicators.map((i) => i.value)).toEqual([
      'http://evil.example.com/x',
    ])
    expect(core.service.contentList().map((v) => [v.version, v.active])).toEqual([
      ['2', true],
      ['1', false],
    ])
    const back = core.service.rollback({ type: 'watchlist' })
    expect([back.from.version, back.to.version]).toEqual(['2', '1'])
    expect(core.changes.watchlist).toBe(3)
    expect(core.service.watchlist({ limit: 100 }).total).toBe(3)
    expect(() => core.service.rollback({ type: 'watchlist' })).toThrow(
      /has no version before 1 to roll back to/,
    )
    expect(core.service.rollback({ type: 'watchlist', to: '2' }).to.version).toBe('2')
    expect(() => core.service.rollback({ type: 'watchlist', to: '9' })).toThrow(/has no installed version 9/)
    expect(() => core.service.rollback({ type: 'attack' })).toThrow(/no attack content/)
    const audit = core.db
      .prepare("SELECT action FROM audit_log WHERE object_type = 'content' ORDER BY seq")
      .pluck()
      .all()
    expect(audit).toEqual(['install', 'install', 'rollback', 'rollback'])
  })

  it('refuses a bad watchlist at export, naming the line', async () => {
    const publisher = installation()
    const bad = watchlist('bad.csv', 'type,value\nip,203.0.113.7\nip,not-an-ip\n')
    await expect(
      publisher.service.exportContent({ type: 'watchlist', in: bad, version: '1', out: file('bad.bundle') }),
    ).rejects.toThrow(/bad\.csv: line 3: "not-an-ip" is not an IPv4 or IPv6 address/)
  })

  it('installs a rule pack through the rule store and rolls back to the previous files', async () => {
    const publisher = installation()
    const core = installation()
    core.service.trust('rules', publisher.service.showKey().public_key, 'content')
    const pack = file('pack')
    mkdirSync(pack)
    const rule = (title: string) =>
      `title: ${title}\nlogsource:\n  product: windows\ndetection:\n  selection:\n    EventID: 1\n  condition: selection\n`
    writeFileSync(join(pack, 'a.yml'), rule('A'))
    await publisher.service.exportContent({
      type: 'rule-pack',
      in: pack,
      version: '1.0',
      out: file('rp1.bundle'),
    })
    writeFileSync(join(pack, 'b.yml'), rule('B'))
    rmSync(join(pack, 'a.yml'))
    await publisher.service.exportContent({
      type: 'rule-pack',
      in: pack,
      version: '1.1',
      out: file('rp2.bundle'),
    })

    const rules = new RulesRepo(core.db)
    const packFiles = () =>
      rules
        .files()
        .filter((f) => f.path.startsWith('pack/'))
        .map((f) => f.path)
    await core.service.import(file('rp1.bundle'))
    expect(packFiles()).toEqual(['pack/a.yml'])
    await core.service.import(file('rp2.bundle'))
    expect(packFiles()).toEqual(['pack/b.yml'])
    core.service.rollback({ type: 'rule-pack' })
    expect(packFiles()).toEqual(['pack/a.yml'])
  })

  it('installs the ATT&CK STIX bundle through the ATT&CK store', async () => {
    const publisher = installation()
    const core = installation()
    core.service.trust('mitre', publisher.service.showKey().public_key, 'content')
    await publisher.service.exportContent({
      type: 'attack',
      in: '/work/shared/attack/enterprise-attack-min.json',
      version: '18.1',
      out: file('attack.bundle'),
    })
    await core.service.import(file('attack.bundle'))
    expect(core.count('attack_techniques')).toBeGreaterThan(600)
    expect(core.service.contentList()).toMatchObject([
      { type: 'attack', name: 'enterprise-attack', version: '18.1' },
    ])
  })
})
