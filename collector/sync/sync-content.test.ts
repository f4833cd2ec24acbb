import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk } from '../host/test-core'
import { SyncConsoles } from './core/consoles'
import { localKey, RecordStore } from './core/record-store'
import type { SyncRecord } from './records'

// MITRE's Enterprise ATT&CK bundle, read in place beside the checkout (../shared/README.md).
const ATTACK = fileURLToPath(new URL('../../../shared/attack/enterprise-attack-min.json', import.meta.url))

type StixObject = { type: string; external_references?: Array<{ external_id?: string }> }

const inbox = (dataDir: string): Array<{ kind: string; id: string }> => {
  const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
  try {
    return db.prepare('SELECT kind, id FROM sync_inbox ORDER BY kind, id').all() as Array<{
      kind: string
      id: string
    }>
  } finally {
    db.close()
  }
}

// A team core's ATT&CK content reaches its consoles by pull, installed there as a bundle would be.
describe('ATT&CK content pulled from a team core', () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-sync-content-'))
  const files = join(root, 'content')
  let team: Core
  let analyst: Core
  let server: Server
  let base = ''
  let adminToken = ''

  const exportAndInstall = async (input: string, version: string): Promise<void> => {
    const out = join(files, `attack-${version}.bundle`)
    await callOk(team, 'bundles:content-export', { type: 'attack', in: input, version, out })
    await callOk(team, 'bundles:import', { path: out })
  }
  const consoleVersions = async () =>
    (await callOk<CallRes<'bundles:content-list'>>(analyst, 'bundles:content-list', {})).versions
  const knows = async (id: string): Promise<boolean> =>
    id in (await callOk<CallRes<'attack:techniques'>>(analyst, 'attack:techniques', { ids: [id] })).names

  beforeAll(async () => {
    mkdirSync(files, { recursive: true })
    ;[team, analyst] = await Promise.all([
      createCore({ dataDir: join(root, 'core'), ephemeralPorts: true, role: 'core', syncLoop: false }),
      createCore({ dataDir: join(root, 'console'), ephemeralPorts: true, syncLoop: false }),
    ])
    const api = team.syncApi!
    server = createServer((req, res) => {
      void api.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const db = new Database(join(root, 'core', 'outpost.sqlite'))
    db.pragma('busy_timeout = 5000')
    const consoles = new SyncConsoles(db)
    const { token } = consoles.add('ws-analyst-1', 'viewer')
    adminToken = consoles.add('team-lead', 'admin').token
    db.close()
    await callOk(analyst, 'sync:connect', { url: base, token })
    // The core installs content it signed itself (trusted for content), as a team lead would.
    const { public_key } = await callOk<CallRes<'keys:show'>>(team, 'keys:show', {})
    await callOk(team, 'keys:trust', { name: 'lead', public_key, scope: 'content' })
  }, 60_000)
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await Promise.all([team.stop(), analyst.stop()])
    rmSync(root, { recursive: true, force: true })
  })

  it("MITRE's whole bundle crosses in one pull and is installed, versioned and audited on the console", async () => {
    expect((await callOk<CallRes<'attack:matrix'>>(analyst, 'attack:matrix', {})).imported).toBeNull()
    await exportAndInstall(ATTACK, '18.1')

    const pulled = await callOk<CallRes<'sync:pull-now'>>(analyst, 'sync:pull-now', {})
    expect(pulled.pulled).toBeGreaterThan(0)
    expect(inbox(join(root, 'console'))).toEqual([])
    // The matrix and technique names the console shows come from the installed bundle.
    const matrix = await callOk<CallRes<'attack:matrix'>>(analyst, 'attack:matrix', {})
    const onCore = await callOk<CallRes<'attack:matrix'>>(team, 'attack:matrix', {})
    expect(matrix.imported?.version).toBe(onCore.imported?.version)
    expect(matrix.tactics.map((t) => [t.id, t.techniques.length])).toEqual(
      onCore.tactics.map((t) => [t.id, t.techniques.length]),
    )
    expect(matrix.tactics).toHaveLength(14)
    expect(await knows('T1059')).toBe(true)
    // As a local install: a content version, active, with the core's bundle id and signer.
    const [mine] = await consoleVersions()
    const [theirs] = (await callOk<CallRes<'bundles:content-list'>>(team, 'bundles:content-list', {}))
      .versions
    expect(mine).toMatchObject({
      type: 'attack',
      name: 'enterprise-attack',
      version: '18.1',
      active: true,
      bundle_id: theirs!.bundle_id,
      signer: theirs!.signer,
    })
    const { entries } = await callOk<CallRes<'audit:list'>>(analyst, 'audit:list', { limit: 50 })
    const install = entries.find((e) => e.object_type === 'content' && e.action === 'install')
    expect(install).toMatchObject({
      object_id: 'attack/enterprise-attack',
      details: { version: '18.1', from: null, bundle_id: theirs!.bundle_id },
    })
    // Made here (stored under its local key): a core replica publishes it to the others over NATS.
    const nodeId = (await callOk<CallRes<'sync:status'>>(team, 'sync:status', {})).node_id
    const coreDb = new Database(join(root, 'core', 'outpost.sqlite'))
    coreDb.pragma('busy_timeout = 5000')
    try {
      const stored = new RecordStore(coreDb).get('content', 'attack/enterprise-attack')!.record
      expect(stored.origin).toBe(nodeId)
      const key = localKey(nodeId, 'content', 'attack/enterprise-attack', stored.version)
      expect(coreDb.prepare('SELECT count(*) FROM sync_record_keys WHERE key = ?').pluck().get(key)).toBe(1)
    } finally {
      coreDb.close()
    }
    // Compressed: the record the console pulled is a fraction of the 1.3 MB of JSON.
    const response = await fetch(`${base}/sync/v1/pull?cursor=0&kinds=content`, {
      headers: { authorization: `Bearer ${adminToken}` },
    })
    const body = await response.text()
    expect(body.length).toBeLessThan(readFileSync(ATTACK).length / 3)
  }, 120_000)

  it('a new version and a rollback on the core reach the console with the next pulls', async () => {
    // Version 2 without T1059 (Command and Scripting Interpreter) and its sub-techniques.
    const bundle = JSON.parse(readFileSync(ATTACK, 'utf8')) as { objects: StixObject[] }
    bundle.objects = bundle.objects.filter(
      (o) =>
        o.type !== 'attack-pattern' ||
        !(o.external_references ?? []).some((r) => r.external_id?.startsWith('T1059')),
    )
    const smaller = join(files, 'attack-2.json')
    writeFileSync(smaller, JSON.stringify(bundle))
    await exportAndInstall(smaller, '18.1-team.2')
    await callOk(analyst, 'sync:pull-now', {})
    expect(await knows('T1059')).toBe(false)
    expect(await knows('T1003')).toBe(true)
    expect((await consoleVersions()).filter((v) => v.active).map((v) => v.version)).toEqual(['18.1-team.2'])

    await callOk(team, 'bundles:content-rollback', { type: 'attack' })
    await callOk(analyst, 'sync:pull-now', {})
    expect(await knows('T1059')).toBe(true)
    const versions = await consoleVersions()
    expect(versions.map((v) => [v.version, v.active]).sort()).toEqual([
      ['18.1', true],
      ['18.1-team.2', false],
    ])
    expect(inbox(join(root, 'console'))).toEqual([])
  }, 120_000)

  it('refuses a content record that does not hold up, keeps it in the inbox, and installs nothing of it', async () => {
    const nodeId = (await callOk<CallRes<'sync:status'>>(team, 'sync:status', {})).node_id
    const packed = gzipSync(
      Buffer.from(JSON.stringify({ type: 'attack', bundle: { type: 'bundle', objects: [] } })),
    )
    const record = (id: string, body: Record<string, unknown>): SyncRecord => ({
      kind: 'content',
      id,
      version: 1,
      updated_at: new Date().toISOString(),
      origin: nodeId,
      deleted: false,
      body: {
        type: 'attack',
        name: id.slice('attack/'.length),
        version: '1',
        bundle_id: 'b-1',
        signer: 'k-1',
        encoding: 'gzip+base64',
        payload: packed.toString('base64'),
        sha256: createHash('sha256').update(packed).digest('hex'),
        ...body,
      },
    })
    const response = await fetch(`${base}/sync/v1/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        records: [
          // Bytes that are not what the core hashed.
          record('attack/tampered', { sha256: '0'.repeat(64) }),
          // A well-formed record whose bundle has no technique.
          record('attack/empty', {}),
        ],
      }),
    })
    expect(response.status).toBe(200)
    const before = await callOk<CallRes<'attack:matrix'>>(analyst, 'attack:matrix', {})
    await callOk(analyst, 'sync:pull-now', {})
    expect(inbox(join(root, 'console'))).toEqual([
      { kind: 'content', id: 'attack/empty' },
      { kind: 'content', id: 'attack/tampered' },
    ])
    expect((await consoleVersions()).map((v) => v.name)).not.toContain('empty')
    expect((await consoleVersions()).map((v) => v.name)).not.toContain('tampered')
    const after = await callOk<CallRes<'attack:matrix'>>(analyst, 'attack:matrix', {})
    expect(after.imported).toEqual(before.imported)
    expect(await knows('T1059')).toBe(true)
  }, 60_000)
})
