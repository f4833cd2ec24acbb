import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CallReq, HuntEvent, SavedHunt } from '../../../collector/contract'
import { fakeTransport } from './fake-transport'
import { parseSyntaxError, rangeFromSaved, refineQuery } from './hunt-slice'
import { connectStore, createAppStore } from './store'

const row = (seq: number): HuntEvent => ({
  seq,
  id: `e-${seq}`,
  timestamp: '2026-11-22T05:00:00Z',
  received_at: '2026-11-22T05:00:00Z',
  listener: 'http',
  source: '127.0.0.1',
  host: 'ws01',
  severity: 'info',
  message: `event ${seq}`,
  kind: null,
  event_code: null,
  channel: null,
  user: 'alice',
  process: null,
  parent_process: null,
  command_line: null,
  src_ip: null,
  dst_ip: null,
  dst_port: null,
})

const page = (rows: HuntEvent[], total = rows.length) =>
  ({ ok: true, value: { rows, total, total_capped: false, took_ms: 3 } }) as const

const histogram = () =>
  ({
    ok: true,
    value: { interval_ms: 60_000, from: 0, to: 60_000, points: [{ t: 0, count: 1 }], took_ms: 1 },
  }) as const

const fields = () =>
  ({
    ok: true,
    value: {
      fields: [{ name: 'host', present: 1, distinct: 1, top: [{ value: 'ws01', count: 1 }], sampled: false }],
      matched: 1,
      took_ms: 1,
    },
  }) as const

const hunting = () =>
  fakeTransport({
    'hunt:search': () => page([row(2), row(1)]),
    'hunt:histogram': histogram,
    'hunt:fields': fields,
  })

const hunt = (patch: Partial<SavedHunt> = {}): SavedHunt => ({
  id: 'h-1',
  name: 'Admins at night',
  query: 'user:admin',
  from: '-7d',
  to: null,
  schedule_minutes: null,
  last_run_at: null,
  last_count: null,
  created_at: '2026-11-22T00:00:00Z',
  updated_at: '2026-11-22T00:00:00Z',
  ...patch,
})

afterEach(() => vi.useRealTimers())

describe('hunt slice', () => {
  it('runs the bar over a pinned range: rows, histogram and fields with the same query and bounds', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-22T06:00:00Z'), toFake: ['Date'] })
    const { transport, named } = hunting()
    const store = createAppStore(transport)
    store.getState().setHuntQuery('  host:ws01  ')
    await store.getState().runHunt()
    const bounds = { query: 'host:ws01', from: '2026-11-21T06:00:00.000Z' }
    expect(named('hunt:search')[0]?.req).toEqual({ ...bounds, limit: 1000, offset: 0 })
    expect(named('hunt:histogram')[0]?.req).toEqual({ ...bounds, buckets: 60 })
    expect(named('hunt:fields')[0]?.req).toEqual({ ...bounds, top: 5 })
    const s = store.getState()
    expect(s.huntRows.map((r) => r.seq)).toEqual([2, 1])
    expect(s.huntTotal).toBe(2)
    expect(s.huntHistogram?.points).toHaveLength(1)
    expect(s.huntFields[0]?.name).toBe('host')
    expect(s.huntLoading).toBe(false)
  })

  it('a syntax error names its position for the caret; other errors are shown as they are', async () => {
    const message = 'hunt:search: query: position 9: expected a value after "host:"'
    const { transport } = fakeTransport({
      'hunt:search': (req) =>
        (req as CallReq<'hunt:search'>).query === 'user:a OR'
          ? { ok: false, error: { code: 'invalid_request', message: 'hunt:search: from must be before to' } }
          : { ok: false, error: { code: 'invalid_request', message } },
    })
    const store = createAppStore(transport)
    store.getState().setHuntQuery('user:a & host:')
    await store.getState().runHunt()
    expect(store.getState().huntSyntaxError).toEqual({
      query: 'user:a & host:',
      position: 9,
      expected: 'expected a value after "host:"',
    })
    expect(store.getState().huntError).toBeNull()
    store.getState().setHuntQuery('user:a OR')
    await store.getState().runHunt()
    expect(store.getState().huntSyntaxError).toBeNull()
    expect(store.getState().huntError).toBe('hunt:search: from must be before to')
  })

  it('refines with a quoted, escaped value; alt-click excludes; an OR query is bracketed first', async () => {
    expect(refineQuery('', 'host', 'ws01', false)).toBe('host:"ws01"')
    expect(refineQuery('a OR b', 'user', 'x"y\\z', true)).toBe('(a OR b) AND NOT user:"x\\"y\\\\z"')
    expect(parseSyntaxError('x', 'no position here')).toBeNull()
    const { transport, named } = hunting()
    const store = createAppStore(transport)
    store.getState().setHuntQuery('kind:process')
    await store.getState().refineHunt('host', 'ws01', false)
    expect(store.getState().huntQuery).toBe('kind:process AND host:"ws01"')
    expect((named('hunt:search').at(-1)?.req as CallReq<'hunt:search'>).query).toBe(
      'kind:process AND host:"ws01"',
    )
  })

  it('pages on by offset, drops rows already shown, and stops at the total', async () => {
    let calls = 0
    const { transport, named } = fakeTransport({
      'hunt:search': () => (++calls === 1 ? page([row(5), row(4)], 3) : page([row(4), row(3)], 3)),
      'hunt:histogram': histogram,
      'hunt:fields': fields,
    })
    const store = createAppStore(transport)
    await store.getState().runHunt()
    await store.getState().loadMoreHunt()
    expect(named('hunt:search')[1]?.req).toMatchObject({ offset: 2, limit: 1000 })
    expect(store.getState().huntRows.map((r) => r.seq)).toEqual([5, 4, 3])
    await store.getState().loadMoreHunt()
    expect(named('hunt:search')).toHaveLength(2)
  })

  it('past a capped total it pages on while pages come full', async () => {
    const full = (from: number) => Array.from({ length: 1000 }, (_, i) => row(from - i))
    let calls = 0
    const { transport, named } = fakeTransport({
      'hunt:search': () => {
        calls++
        const rows = calls < 3 ? full(100_000 - (calls - 1) * 1000) : [row(1)]
        return { ok: true, value: { rows, total: 1000, total_capped: true, took_ms: 1 } }
      },
      'hunt:histogram': histogram,
      'hunt:fields': fields,
    })
    const store = createAppStore(transport)
    await store.getState().runHunt()
    expect(store.getState().huntHasMore).toBe(true)
    await store.getState().loadMoreHunt()
    expect(store.getState().huntRows).toHaveLength(2000)
    await store.getState().loadMoreHunt()
    expect(store.getState().huntRows).toHaveLength(2001)
    expect(store.getState().huntHasMore).toBe(false)
    await store.getState().loadMoreHunt()
    expect(named('hunt:search')).toHaveLength(3)
  })

  it('a histogram bar narrows the range to a custom span and runs again', async () => {
    const { transport, named } = hunting()
    const store = createAppStore(transport)
    await store
      .getState()
      .narrowHuntTime(Date.parse('2026-11-22T05:01:00Z'), Date.parse('2026-11-22T05:00:00Z'))
    expect(store.getState().huntRange).toEqual({
      preset: 'custom',
      from: '2026-11-22T05:00:00.000Z',
      to: '2026-11-22T05:01:00.000Z',
    })
    expect(named('hunt:search')[0]?.req).toMatchObject({
      from: '2026-11-22T05:00:00.000Z',
      to: '2026-11-22T05:01:00.000Z',
    })
  })

  it('SQL: DuckDB refusals are kept verbatim; Cancel names the running query by its id', async () => {
    let finish: (result: unknown) => void = () => {}
    const { transport, named } = fakeTransport({
      // A Promise answer stays pending until `finish`: a statement still running.
      'hunt:sql': (req) =>
        (req as CallReq<'hunt:sql'>).sql === 'SELEC 1'
          ? {
              ok: false,
              error: {
                code: 'invalid_request',
                message: 'hunt:sql: Parser Error: syntax error at or near "SELEC"',
              },
            }
          : (new Promise((resolve) => (finish = resolve)) as never),
      'hunt:cancel': () => ({ ok: true, value: { cancelled: true } }),
    })
    const store = createAppStore(transport)
    await store.getState().runSql('SELEC 1', 10, 1000)
    expect(store.getState().sqlRun).toMatchObject({
      state: 'failed',
      error: 'hunt:sql: Parser Error: syntax error at or near "SELEC"',
    })
    const running = store.getState().runSql('SELECT * FROM range(1e12)', 1000, 30_000)
    const id = store.getState().sqlRun?.id
    expect(store.getState().sqlRun?.state).toBe('running')
    expect(named('hunt:sql').at(-1)?.req).toEqual({
      sql: 'SELECT * FROM range(1e12)',
      limit: 1000,
      timeout_ms: 30_000,
      query_id: id,
    })
    await store.getState().cancelSql()
    expect(named('hunt:cancel')[0]?.req).toEqual({ query_id: id })
    finish({ ok: false, error: { code: 'invalid_request', message: `hunt:sql: query ${id} was cancelled` } })
    await running
    expect(store.getState().sqlRun?.state).toBe('cancelled')
  })

  it('saves the bar with a relative range; running a saved hunt puts it back in the bar', async () => {
    const saved: SavedHunt[] = []
    const { transport, named } = fakeTransport({
      'hunts:save': (req) => {
        const h = hunt({ ...(req as object), id: 'h-2' })
        saved.push(h)
        return { ok: true, value: { hunt: h } }
      },
      'hunts:list': () => ({ ok: true, value: { hunts: [...saved, hunt()] } }),
      'hunts:run': () => ({
        ok: true,
        value: { hunt: hunt({ last_run_at: '2026-11-22T07:00:00Z', last_count: 7 }) },
      }),
      'hunt:search': () => page([]),
      'hunt:histogram': histogram,
      'hunt:fields': fields,
    })
    const store = createAppStore(transport)
    store.getState().setHuntQuery('host:ws01')
    store.getState().setHuntRange({ preset: '1h' })
    expect(await store.getState().saveHunt('Web box', 15)).toBe(true)
    expect(named('hunts:save')[0]?.req).toEqual({
      name: 'Web box',
      query: 'host:ws01',
      from: '-1h',
      to: null,
      schedule_minutes: 15,
    })
    expect(store.getState().savedHunts.map((h) => h.id)).toEqual(['h-2', 'h-1'])
    await store.getState().runSavedHunt('h-1')
    expect(store.getState().huntQuery).toBe('user:admin')
    expect(store.getState().huntRange).toEqual({ preset: '7d' })
    expect((named('hunt:search')[0]?.req as CallReq<'hunt:search'>).query).toBe('user:admin')
    // The core records the run: its count shows in the list.
    expect(named('hunts:run').map((c) => c.req)).toEqual([{ id: 'h-1' }])
    expect(store.getState().savedHunts.find((h) => h.id === 'h-1')?.last_count).toBe(7)
    expect(rangeFromSaved({ from: '2026-11-01T00:00:00Z', to: null })).toEqual({
      preset: 'custom',
      from: '2026-11-01T00:00:00Z',
      to: null,
    })
  })

  it('a Sigma draft opens in the rule editor, unless the core warned about it', async () => {
    let warnings: string[] = []
    const { transport } = fakeTransport({
      'hunts:to-sigma': () => ({ ok: true, value: { yaml: 'title: Admins\n', warnings } }),
      'rules:validate': () => ({ ok: true, value: { rules: [], problems: [] } }),
    })
    const store = createAppStore(transport)
    expect(await store.getState().huntToSigma('user:admin', 'Admins')).toBe(true)
    expect(store.getState().ruleEditor).toMatchObject({ file: null, text: 'title: Admins\n' })
    expect(store.getState().sigmaDraft).toBeNull()
    store.getState().closeRule()
    warnings = ['wildcards in the middle of a value become |contains']
    expect(await store.getState().huntToSigma('user:ad*in', 'Admins')).toBe(false)
    expect(store.getState().ruleEditor).toBeNull()
    expect(store.getState().sigmaDraft?.warnings).toEqual(warnings)
    store.getState().openSigmaDraft()
    expect(store.getState().ruleEditor?.text).toBe('title: Admins\n')
  })
})

describe('hunt export progress', () => {
  it('shows DuckDB progress pushed for this export, and cancels it by its id', async () => {
    const fake = fakeTransport({ 'hunt:cancel': () => ({ ok: true, value: { cancelled: true } }) })
    let finish: (r: unknown) => void = () => undefined
    const answer = fake.transport.invoke.bind(fake.transport)
    fake.transport.invoke = (name, req) => {
      if (name !== 'hunt:export') return answer(name, req)
      fake.calls.push({ name, req })
      return new Promise((resolve) => (finish = resolve as (r: unknown) => void))
    }
    const store = createAppStore(fake.transport)
    const disconnect = connectStore(store, fake.transport)
    const exporting = store.getState().exportHunt('parquet')
    const running = store.getState().huntExport
    expect(running).toMatchObject({ state: 'running', progress: null })
    const id = (fake.named('hunt:export')[0]?.req as CallReq<'hunt:export'>).export_id
    expect(id).toBe(running?.id)
    // Another export's progress is not this one's.
    fake.emit('hunt:export-progress', { export_id: 'other', phase: 'writing', percentage: 90, rows: 5 })
    expect(store.getState().huntExport?.progress).toBeNull()
    fake.emit('hunt:export-progress', { export_id: id ?? '', phase: 'writing', percentage: 40, rows: 1234 })
    expect(store.getState().huntExport?.progress).toEqual({ phase: 'writing', percentage: 40, rows: 1234 })
    await store.getState().cancelHuntExport()
    expect(fake.named('hunt:cancel').map((c) => c.req)).toEqual([{ query_id: id }])
    // The core answers the cancelled export with an error: it stays "cancelled", not "failed".
    finish({
      ok: false,
      error: { code: 'invalid_request', message: `hunt:export: export ${id} was cancelled` },
    })
    await exporting
    expect(store.getState().huntExport).toMatchObject({ state: 'cancelled', error: null })
    disconnect()
  })
})
