import { describe, expect, it } from 'vitest'
import { fail, ok, type MatrixTactic, type Result } from '../../../collector/contract'
import type { Transport } from '../transport'
import { filterMatrix, matrixTotals, techniqueQuery } from './attack-slice'
import { createAppStore } from './store'

const cell = (id: string, rules: number, alerts: number) => ({
  id,
  name: null,
  rules,
  rules_total: rules,
  alerts,
})
const tactics: MatrixTactic[] = [
  {
    id: 'TA0002',
    shortname: 'execution',
    name: 'Execution',
    techniques: [
      { ...cell('T1059', 1, 0), subtechniques: [cell('T1059.001', 1, 0), cell('T1059.003', 0, 0)] },
      { ...cell('T1204', 0, 2), subtechniques: [] },
      { ...cell('T1106', 0, 0), subtechniques: [] },
    ],
  },
  {
    id: 'TA0003',
    shortname: 'persistence',
    name: 'Persistence',
    techniques: [{ ...cell('T1053', 0, 1), subtechniques: [cell('T1053.005', 0, 1)] }],
  },
]

const fakeTransport = (kind: 'ipc' | 'http', importFails = false) => {
  const calls: Array<{ name: string; req: unknown }> = []
  const transport: Transport = {
    kind,
    invoke: (name, req) => {
      calls.push({ name, req })
      if (name === 'attack:import' && importFails)
        return Promise.resolve(fail('invalid_request', 'x.json: not a STIX bundle') as Result<never>)
      const value: unknown =
        name === 'attack:import'
          ? { version: '18.1', tactics: 14, techniques: 691, problems: [] }
          : name === 'attack:techniques'
            ? { names: { 'T1059.001': 'PowerShell' } }
            : name === 'dialog:open'
              ? { paths: ['/home/op/enterprise-attack.json'] }
              : { imported: null, tactics }
      return Promise.resolve(ok(value) as Result<never>)
    },
    on: () => () => {},
    onConnection: () => () => {},
    upload: (file) => Promise.resolve(ok({ upload_id: `up-${file.name}` })),
    pathForFile: (file) => (kind === 'ipc' ? `/home/op/${file.name}` : null),
  }
  return { transport, calls }
}

describe('attack slice', () => {
  it('filters the matrix to covered techniques or techniques with hits, subtechniques included', () => {
    expect(filterMatrix(tactics, 'all')).toEqual(tactics)
    const covered = filterMatrix(tactics, 'covered')
    expect(covered[0]!.techniques.map((t) => t.id)).toEqual(['T1059'])
    expect(covered[0]!.techniques[0]!.subtechniques.map((t) => t.id)).toEqual(['T1059.001'])
    expect(covered[1]!.techniques).toEqual([])
    const hits = filterMatrix(tactics, 'hits')
    expect(hits.map((t) => t.techniques.map((x) => x.id))).toEqual([['T1204'], ['T1053']])
  })

  it('counts techniques, covered and hit', () => {
    expect(matrixTotals(tactics)).toEqual({ techniques: 4, covered: 1, hit: 2 })
    expect(techniqueQuery('T1059.001')).toBe('attack.t1059.001')
  })

  it('in the browser uploads the bundle, imports it and reloads the matrix', async () => {
    const { transport, calls } = fakeTransport('http')
    const store = createAppStore(transport)
    await store.getState().importAttackFile(new File(['{}'], 'enterprise-attack.json'))
    expect(calls.map((c) => c.name)).toEqual(['attack:import', 'attack:matrix'])
    expect(calls[0]!.req).toEqual({ upload_id: 'up-enterprise-attack.json' })
    expect(store.getState().attackImport).toMatchObject({ result: { techniques: 691 }, error: null })
    expect(store.getState().attackMatrix?.tactics).toEqual(tactics)
    expect(store.getState().attackImporting).toBe(false)
  })

  it('on the desktop imports the chosen path; a refused bundle is shown, not thrown', async () => {
    const { transport, calls } = fakeTransport('ipc', true)
    const store = createAppStore(transport)
    await store.getState().chooseAttackBundle()
    expect(calls.map((c) => c.name)).toEqual(['dialog:open', 'attack:import'])
    expect(calls[1]!.req).toEqual({ path: '/home/op/enterprise-attack.json' })
    expect(store.getState().attackImport).toEqual({
      name: '/home/op/enterprise-attack.json',
      result: null,
      error: 'x.json: not a STIX bundle',
    })
  })

  it('reloads on pushes only while watched, once per burst', async () => {
    const { transport, calls } = fakeTransport('http')
    const store = createAppStore(transport)
    store.getState().attackChanged()
    store.getState().watchAttack(true)
    store.getState().attackChanged()
    store.getState().attackChanged()
    await new Promise((r) => setTimeout(r, 700))
    expect(calls.filter((c) => c.name === 'attack:matrix')).toHaveLength(1)
    store.getState().watchAttack(false)
  })

  it('asks for technique names once per id, and again after an import', async () => {
    const { transport, calls } = fakeTransport('http')
    const store = createAppStore(transport)
    await store.getState().nameTechniques(['T1059.001', 'T9999'])
    await store.getState().nameTechniques(['T9999', 'T1059.001'])
    expect(calls.filter((c) => c.name === 'attack:techniques').map((c) => c.req)).toEqual([
      { ids: ['T1059.001', 'T9999'] },
    ])
    expect(store.getState().techniqueNames).toEqual({ 'T1059.001': 'PowerShell' })
    await store.getState().importAttackFile(new File(['{}'], 'enterprise-attack.json'))
    expect(store.getState().techniqueNames).toEqual({})
    await store.getState().nameTechniques(['T1059.001'])
    expect(store.getState().techniqueNames).toEqual({ 'T1059.001': 'PowerShell' })
  })
})
