import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DuckArchive } from './archive'
import { MetricsBufferFull, MetricsStore, type MetricPoint } from './metrics-store'

let dir: string
let archive: DuckArchive
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outpost-metrics-'))
  archive = await DuckArchive.open(join(dir, 'archive.duckdb'))
})
afterEach(() => {
  archive.close()
  rmSync(dir, { recursive: true, force: true })
})

const T0 = Date.parse('2026-01-01T00:00:00Z')
const point = (over: Partial<MetricPoint>): MetricPoint => ({
  ts: T0,
  source: 'web-1',
  name: 'cpu',
  kind: 'gauge',
  value: 1,
  unit: null,
  attributes: {},
  receivedAt: T0,
  ...over,
})
const count = async (): Promise<number> =>
  Number(
    (await archive.connection.runAndReadAll('SELECT count(*) AS n FROM metrics')).getRowObjectsJS()[0]!.n,
  )

describe('MetricsStore', () => {
  it('resolves a write only once its points are in DuckDB', async () => {
    const store = await MetricsStore.open(archive, { flushIntervalMs: 20 })
    const written = store.write([point({ unit: '%', attributes: { core: 0 } }), point({ value: 3 })])
    expect(store.buffered).toBe(2)
    expect(await count()).toBe(0)
    await written
    expect(await count()).toBe(2)
    const [src] = await store.sources()
    expect(src).toEqual({
      source: 'web-1',
      series: [
        {
          name: 'cpu',
          kind: 'gauge',
          unit: '%',
          last_value: expect.any(Number) as number,
          last_ts: T0,
          points: 2,
        },
      ],
    })
    await store.close()
  })

  it('flushes on batch size without waiting for the timer', async () => {
    const store = await MetricsStore.open(archive, { batchSize: 3, flushIntervalMs: 60_000 })
    await store.write([point({}), point({}), point({})])
    expect(await count()).toBe(3)
    await store.close()
  })

  it('flushes what is buffered on close', async () => {
    const store = await MetricsStore.open(archive, { flushIntervalMs: 60_000 })
    const written = store.write([point({})])
    await store.close()
    await written
    expect(await count()).toBe(1)
  })

  it('refuses a whole batch past the buffer cap and counts it', async () => {
    const store = await MetricsStore.open(archive, { maxBuffered: 3, flushIntervalMs: 60_000 })
    const first = store.write([point({}), point({})])
    await expect(store.write([point({}), point({})])).rejects.toBeInstanceOf(MetricsBufferFull)
    expect(store.dropped).toBe(2)
    await store.flush()
    await first
    const again = store.write([point({}), point({})]) // room again once flushed
    await store.close()
    await again
    expect(await count()).toBe(4)
  })

  it('buckets server-side: averages gauges, keeps the last value of counters, never more than asked', async () => {
    const store = await MetricsStore.open(archive)
    const minute = 60_000
    const points: MetricPoint[] = []
    for (let i = 0; i < 600; i++) {
      points.push(point({ ts: T0 + i * 1000, value: i % 2 === 0 ? 10 : 20 }))
      points.push(point({ ts: T0 + i * 1000, name: 'requests', kind: 'counter', value: i }))
    }
    await store.write(points)
    const gauge = await store.series('web-1', 'cpu', T0, T0 + 10 * minute, 10)
    expect(gauge.length).toBeLessThanOrEqual(10)
    expect(gauge.length).toBeGreaterThanOrEqual(9)
    for (const p of gauge) expect(p.value).toBeCloseTo(15, 0)
    const counter = await store.series('web-1', 'requests', T0, T0 + 10 * minute, 10)
    expect(counter.at(-1)!.value).toBe(599)
    expect(counter.map((p) => p.value)).toEqual([...counter.map((p) => p.value)].sort((a, b) => a - b))
    expect(counter[0]!.t).toBe(T0)
    // Buckets narrower than the points' spacing: every point comes back, at its bucket's start.
    const raw = await store.series('web-1', 'requests', T0, T0 + 4000, 500)
    expect(raw.map((p) => p.value)).toEqual([0, 1, 2, 3, 4])
    raw.forEach((p, i) => expect(T0 + i * 1000 - p.t).toBeLessThan(9))
    expect(await store.series('web-1', 'nope', T0, T0 + minute, 10)).toEqual([])
    await store.close()
  })

  it('adds up OTLP delta sums per bucket, and answers parallel queries', async () => {
    const store = await MetricsStore.open(archive)
    const delta = { 'otel.temporality': 'delta' }
    await store.write(
      [0, 1, 2, 3].map((i) =>
        point({ ts: T0 + i * 1000, name: 'bytes', kind: 'sum', value: 10, attributes: delta }),
      ),
    )
    expect(await store.series('web-1', 'bytes', T0, T0 + 60_000, 1)).toEqual([{ t: T0, value: 40 }])
    const many = await Promise.all(
      Array.from({ length: 20 }, () => store.series('web-1', 'bytes', T0, T0 + 60_000, 2)),
    )
    for (const answer of many) expect(answer).toEqual([{ t: T0, value: 40 }])
    await store.close()
  })

  it('refuses a batch with a point DuckDB cannot hold, before appending any of it', async () => {
    const store = await MetricsStore.open(archive, { flushIntervalMs: 5 })
    await expect(store.write([point({}), point({ ts: 2 ** 62 })])).rejects.toThrow(/out of range/)
    await expect(store.write([point({ value: Number.NaN })])).rejects.toThrow(/out of range/)
    await store.write([point({ value: 7 })])
    await store.close()
    expect(await count()).toBe(1)
  })
})
