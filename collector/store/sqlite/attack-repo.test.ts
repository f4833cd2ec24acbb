import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ParsedAttack } from '../../attack/parse-bundle'
import { AttackRepo } from './attack-repo'
import { SqliteStore } from './sqlite-store'

const parsed: ParsedAttack = {
  version: '18.1',
  tactics: [{ id: 'TA0002', shortname: 'execution', name: 'Execution', position: 0 }],
  techniques: [
    {
      id: 'T1059',
      name: 'Command and Scripting Interpreter',
      tactics: ['execution'],
      is_subtechnique: false,
      parent: null,
    },
    { id: 'T1059.001', name: 'PowerShell', tactics: ['execution'], is_subtechnique: true, parent: 'T1059' },
  ],
  problems: [],
}

describe('AttackRepo', () => {
  let dir: string
  let store: SqliteStore
  let repo: AttackRepo
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-attack-repo-'))
    store = SqliteStore.open(join(dir, 'outpost.sqlite'), { synchronous: 'normal' })
    repo = new AttackRepo(store.db)
  })
  afterEach(() => {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('stores an import, and a second import replaces the first', () => {
    expect(repo.meta()).toBeNull()
    expect(repo.replace(parsed, 1000)).toEqual({
      version: '18.1',
      imported_at: 1000,
      tactics: 1,
      techniques: 2,
    })
    expect(repo.tactics()).toEqual(parsed.tactics)
    expect(repo.techniques()).toEqual(parsed.techniques)
    expect(repo.names(['T1059.001', 'T9999'])).toEqual({ 'T1059.001': 'PowerShell' })

    repo.replace({ ...parsed, version: '18.2', techniques: parsed.techniques.slice(0, 1) }, 2000)
    expect(repo.meta()).toEqual({ version: '18.2', imported_at: 2000, tactics: 1, techniques: 1 })
    expect(repo.techniques().map((t) => t.id)).toEqual(['T1059'])
  })

  it('counts alerts per technique, exact and rolled up to the parent', () => {
    const insert = store.db.prepare(
      `INSERT INTO alerts (id, created_at, updated_at, ts, last_ts, origin, title, level, tags, techniques,
                           tactics, event_id, event_ids)
       VALUES (?, 0, 0, 0, 0, 'sigma', 't', 'high', '[]', ?, ?, 'e', '[]')`,
    )
    insert.run('a1', '["T1059.001"]', '["execution"]')
    insert.run('a2', '["T1059", "T1059.001"]', '["execution"]')
    insert.run('a3', '["T1003"]', '[]')
    insert.run('a4', '[]', '[]')
    const tally = repo.alertTally()
    expect(Object.fromEntries(tally.exact)).toEqual({ T1059: 1, 'T1059.001': 2, T1003: 1 })
    expect(Object.fromEntries(tally.rolled)).toEqual({ T1059: 2, T1003: 1 })
    expect(tally.pairs).toHaveLength(3)
  })
})
