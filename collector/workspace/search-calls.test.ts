import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk } from '../host/test-core'
import { likePattern } from '../store/sqlite/search-repo'
import { ruleHits } from './search-calls'

const RULE = `title: Nightjar whoami recon
id: 5a8a4b1c-1111-4c1c-9a9a-000000000001
status: experimental
level: high
tags: [attack.discovery]
logsource: { product: windows, category: process_creation }
detection:
  selection: { Image|endswith: '\\\\whoami.exe' }
  condition: selection
`

describe('search:global', () => {
  let core: Core
  let dataDir: string
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-search-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
  })
  afterAll(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const search = (text: string, limit?: number) =>
    callOk<CallRes<'search:global'>>(core, 'search:global', { text, ...(limit ? { limit } : {}) })

  it('finds operations, missions, reports, assets and rules by text, each with the route that opens it', async () => {
    const { operation } = await callOk<CallRes<'operations:create'>>(core, 'operations:create', {
      name: 'Op NIGHTJAR',
    })
    const { mission } = await callOk<CallRes<'missions:create'>>(core, 'missions:create', {
      operation_id: operation.id,
      title: 'Image the nightjar jump host',
    })
    const { report } = await callOk<CallRes<'reports:create'>>(core, 'reports:create', {
      title: 'Weekly summary',
      body: 'The NightJar actor reused credentials.',
    })
    await callOk(core, 'assets:create', { kind: 'host', value: 'nightjar-ws01' })
    await callOk(core, 'rules:save', { text: RULE })
    await callOk(core, 'operations:create', { name: 'Unrelated' })

    const { hits } = await search('nightjar')
    const byKind = Object.fromEntries(hits.map((h) => [h.kind, h]))
    expect(byKind.operation).toMatchObject({
      title: 'Op NIGHTJAR',
      route: { view: 'operations', params: { id: operation.id } },
    })
    // A mission opens within its operation.
    expect(byKind.mission).toMatchObject({
      id: mission.id,
      route: { view: 'operations', params: { id: operation.id } },
    })
    expect(byKind.report).toMatchObject({
      id: report.id,
      route: { view: 'reports', params: { id: report.id } },
    })
    expect(byKind.asset).toMatchObject({
      title: 'nightjar-ws01',
      route: { view: 'assets', params: { id: 'host:nightjar-ws01' } },
    })
    expect(byKind.rule).toMatchObject({
      title: 'Nightjar whoami recon',
      detail: 'high',
      route: { view: 'rules', params: { key: '5a8a4b1c-1111-4c1c-9a9a-000000000001' } },
    })
    expect(hits.map((h) => h.title)).not.toContain('Unrelated')
  })

  it('limits each kind, and treats % and _ literally', async () => {
    for (let i = 0; i < 4; i++) await callOk(core, 'operations:create', { name: `Batch op ${i}` })
    const { hits } = await search('batch op', 2)
    expect(hits.filter((h) => h.kind === 'operation')).toHaveLength(2)
    expect((await search('%')).hits).toEqual([])
    expect((await search('_')).hits).toEqual([])
  })

  it('refuses an empty search', async () => {
    const result = await core.call('search:global', { text: '   ' })
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
  })
})

describe('search helpers', () => {
  it('escapes LIKE wildcards', () => {
    expect(likePattern('50%_a\\b')).toBe('%50\\%\\_a\\\\b%')
  })
  it('matches rules by title, key or tag, case-insensitive', () => {
    const rules = [
      { key: 'a', title: 'Mimikatz', level: 'critical', tags: [] },
      { key: 'b', title: 'Other', level: null, tags: ['attack.t1003'] },
      { key: 'user/x.yml#1', title: 'Third', level: null, tags: [] },
    ]
    expect(ruleHits(rules, 'MIMI', 5).map((h) => h.id)).toEqual(['a'])
    expect(ruleHits(rules, 't1003', 5).map((h) => h.id)).toEqual(['b'])
    expect(ruleHits(rules, 'x.yml', 5).map((h) => h.id)).toEqual(['user/x.yml#1'])
  })
})
