import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'

let core: Core
let dataDir: string
let url: string
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-http-metrics-'))
  core = await createCore({ dataDir, ephemeralPorts: true })
  url = `http://127.0.0.1:${core.listeners.http!.port}/v1/metrics`
})
afterAll(async () => {
  await core.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const post = async (body: string) => {
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}
const sources = async () => {
  const result = await core.call('metrics:sources', {})
  if (!result.ok) throw new Error(result.error.message)
  return (result.value as CallRes<'metrics:sources'>).sources
}
const seriesOf = async (source: string) =>
  Object.fromEntries(
    ((await sources()).find((s) => s.source === source)?.series ?? []).map((s) => [s.name, s]),
  )

describe('POST /v1/metrics on the http listener', () => {
  it('stores one object, answering only once it is in DuckDB', async () => {
    const answer = await post(
      JSON.stringify({ source: 'web-1', name: 'cpu.load', value: 0.5, unit: '1', attributes: { core: 0 } }),
    )
    expect(answer).toEqual({ status: 200, body: { accepted: 1 } })
    // Acknowledged means stored: readable at once, no waiting for a later flush.
    expect((await seriesOf('web-1'))['cpu.load']).toMatchObject({ kind: 'gauge', unit: '1', last_value: 0.5 })
  })

  it('takes arrays and NDJSON, epoch seconds, ms and ISO timestamps; the source defaults to the peer', async () => {
    const t = Date.parse('2026-03-01T12:00:00Z')
    const array = [
      { name: 'jobs.done', value: 1, type: 'counter', timestamp: t / 1000 },
      { name: 'jobs.done', value: 5, type: 'counter', timestamp: t + 1000 },
      { name: 'jobs.done', value: 9, type: 'counter', timestamp: '2026-03-01T12:00:02Z' },
    ]
    expect((await post(JSON.stringify(array))).body).toEqual({ accepted: 3 })
    const ndjson = `{"source":"nd","name":"q.depth","value":3,"timestamp":${t}}\n{"source":"nd","name":"q.depth","value":4,"timestamp":${t + 1}}\n`
    expect((await post(ndjson)).body).toEqual({ accepted: 2 })

    const peer = (await sources()).find((s) => s.series.some((x) => x.name === 'jobs.done'))!
    expect(peer.source).toMatch(/127\.0\.0\.1/)
    const jobs = peer.series.find((x) => x.name === 'jobs.done')!
    expect(jobs).toMatchObject({ kind: 'counter', last_value: 9, last_ts: t + 2000, points: 3 })
    const result = await core.call('metrics:series', {
      source: peer.source,
      name: 'jobs.done',
      from: t,
      to: t + 60_000,
      buckets: 4,
    })
    // The first 15 s bucket holds all three; a counter's bucket shows its last value.
    expect(result).toMatchObject({ ok: true, value: { points: [{ value: 9 }] } })
    expect((await seriesOf('nd'))['q.depth']).toMatchObject({ points: 2, last_value: 4 })
  })

  it('refuses bad items with where and why, and stores the good ones', async () => {
    const ndjson = [
      '{"source":"mixed","name":"ok.metric","value":1}',
      '{"source":"mixed","name":"bad.value","value":"high"}',
      '{"source":"mixed","value":2}',
      '{"source":"mixed","name":"bad.time","value":2,"timestamp":"yesterday"}',
      '{"source":"mixed","name":"far.future","value":2,"timestamp":1e20}',
    ].join('\n')
    const answer = await post(ndjson)
    expect(answer.status).toBe(200)
    expect(answer.body.accepted).toBe(1)
    const rejected = answer.body.rejected as Array<{ item: number; line: number; error: string }>
    expect(rejected.map((r) => [r.item, r.line])).toEqual([
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ])
    expect(rejected[0]!.error).toMatch(/^line 2: value: /)
    expect(rejected[1]!.error).toMatch(/^line 3: name: /)
    expect(rejected[2]!.error).toBe('line 4: timestamp: not an ISO-8601 date: "yesterday"')
    expect(rejected[3]!.error).toBe('line 5: timestamp: out of range: 100000000000000000000')
    expect(Object.keys(await seriesOf('mixed'))).toEqual(['ok.metric'])
  })

  it('answers 400 when nothing in the body is a metric', async () => {
    const answer = await post('[{"name":"x","value":1,"type":"histogram"}]')
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatch(/^item 1: type: /)
    expect((await post('{"name": ')).body.error).toMatch(/^invalid JSON at line 1/)
  })
})
