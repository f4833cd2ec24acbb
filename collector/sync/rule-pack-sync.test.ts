import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrate } from '../store/sqlite/migrate'
import { migrations } from '../store/sqlite/migrations'
import { RulesRepo } from '../store/sqlite/rules-repo'
import type { SyncRecord } from './records'
import { installPulledRulePack, RulePackSyncError } from './rule-pack-sync'

const rule = (title: string, id: string): string =>
  [
    `title: ${title}`,
    `id: ${id}`,
    'logsource: {product: windows, category: process_creation}',
    'detection:',
    "  selection: {Image|endswith: '\\\\x.exe'}",
    '  condition: selection',
    '',
  ].join('\n')

const pack = (files: Array<{ path: string; text: string }>, deleted = false): SyncRecord => ({
  kind: 'rule-pack',
  id: 'team',
  version: 1,
  updated_at: '2026-12-07T10:00:00.000Z',
  origin: 'core',
  deleted,
  body: { name: 'team', version: '1', license: 'DRL-1.1', files },
})

describe('pulled rule packs', () => {
  let db: Database.Database
  const paths = () => new RulesRepo(db).files().map((f) => `${f.path}:${f.origin}`)
  beforeEach(() => {
    db = new Database(':memory:')
    migrate(db, migrations, ':memory:')
  })
  afterEach(() => db.close())

  it('installs the files as imported, removes what the next version dropped, and all on a removal', () => {
    const a = { path: 'team/a.yml', text: rule('A', '11111111-1111-4111-8111-111111111111') }
    const b = { path: 'team/b.yml', text: rule('B', '22222222-2222-4222-8222-222222222222') }
    const first = installPulledRulePack(db, pack([a, b]), [])
    expect(first).toEqual(['team/a.yml', 'team/b.yml'])
    expect(paths()).toEqual(expect.arrayContaining(['team/a.yml:imported', 'team/b.yml:imported']))
    const second = installPulledRulePack(db, pack([a]), first)
    expect(paths()).toContain('team/a.yml:imported')
    expect(paths()).not.toContain('team/b.yml:imported')
    installPulledRulePack(db, pack([], true), second)
    expect(paths().filter((p) => p.startsWith('team/'))).toEqual([])
  })

  it('refuses a pack with a file lacking its text, naming it, and installs nothing of it', () => {
    const before = paths()
    const broken = {
      ...pack([{ path: 'team/ok.yml', text: rule('OK', '33333333-3333-4333-8333-333333333333') }]),
    }
    broken.body = { ...broken.body, files: [...(broken.body.files as unknown[]), { path: 'team/bad.yml' }] }
    expect(() => installPulledRulePack(db, broken, [])).toThrow(RulePackSyncError)
    expect(() => installPulledRulePack(db, broken, [])).toThrow(/file 2 has no path or text/)
    expect(paths()).toEqual(before)
  })
})
