import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ImportJob } from '../../contract'
import type { NewEvent } from '../../store/sqlite/events-repo'
import { ImportJobs, type ImportJobsOptions } from './import-jobs'

const dir = mkdtempSync(join(tmpdir(), 'outpost-import-jobs-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const write = (name: string, content: string): string => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}
const ndjson = (n: number, bad: number[] = []): string =>
  Array.from({ length: n }, (_, i) =>
    bad.includes(i + 1) ? '{"broken": ' : JSON.stringify({ message: `m${i}` }),
  )
    .join('\n')
    .concat('\n')

const setup = (options: Partial<ImportJobsOptions> = {}) => {
  const stored: NewEvent[] = []
  const pushed: ImportJob[] = []
  const finished: string[] = []
  const jobs = new ImportJobs({
    sink: (batch) => void stored.push(...batch),
    push: (job) => pushed.push(job),
    onFinished: (inputs) => void finished.push(...inputs.map((i) => i.path)),
    batchSize: 100,
    progressIntervalMs: 0,
    ...options,
  })
  return { jobs, stored, pushed, finished }
}

describe('ImportJobs', () => {
  it('imports files, pushes progress up to done, and sums them up with the bad records', async () => {
    const good = write('good.ndjson', ndjson(500))
    const mixed = write('mixed.csv', 'host,message\nws-01,hello\n"unterminated,x\nws-02,bye\n')
    const { jobs, stored, pushed, finished } = setup()
    const { job_id } = jobs.start([
      { path: good, name: 'good.ndjson' },
      { path: mixed, name: 'mixed.csv' },
      { path: join(dir, 'missing.ndjson'), name: 'missing.ndjson' },
    ])
    await jobs.settled(job_id)

    expect(pushed.every((p) => p.job_id === job_id)).toBe(true)
    const running = pushed.filter((p) => p.state === 'running')
    expect(running.length).toBeGreaterThan(3)
    const bytes = running.map((p) => p.bytes_read)
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b)) // only forwards
    const last = pushed.at(-1)!
    expect(last).toMatchObject({ state: 'done', imported: stored.length, bytes_read: last.bytes_total })
    expect(last.summary).toMatchObject({ records: last.records, imported: stored.length })
    expect(last.summary!.files.map((f) => [f.file, f.error === null])).toEqual([
      ['good.ndjson', true],
      ['mixed.csv', true],
      ['missing.ndjson', false],
    ])
    expect(last.summary!.rejected).toBe(last.summary!.problems_total)
    expect(last.summary!.problems.every((p) => p.file === 'mixed.csv' && p.at !== '')).toBe(true)
    expect(stored.length).toBeGreaterThanOrEqual(501)
    expect(finished).toHaveLength(3)
    expect(jobs.list()[0]).toEqual(last)
  })

  it('reports bad NDJSON lines with their line numbers', async () => {
    const path = write('bad-lines.ndjson', ndjson(20, [3, 17]))
    const { jobs, pushed } = setup()
    const { job_id } = jobs.start([{ path, name: 'bad-lines.ndjson' }])
    await jobs.settled(job_id)
    const summary = pushed.at(-1)!.summary!
    expect(summary).toMatchObject({ records: 20, imported: 18, rejected: 2, problems_total: 2, error: null })
    expect(summary.problems.map((p) => p.at)).toEqual([
      expect.stringMatching(/3/),
      expect.stringMatching(/17/),
    ])
  })

  it('cancels mid-file: keeps what was stored, stops reading, says cancelled', async () => {
    const path = write('big.ndjson', ndjson(20_000))
    let cancelled = false
    const holder: { jobs?: ImportJobs; id?: string } = {}
    const { jobs, stored, pushed, finished } = setup({
      sink: async (batch) => {
        stored.push(...batch)
        // Cancel from inside the stream, once a few batches are in.
        if (stored.length >= 300 && !cancelled) {
          cancelled = true
          expect(holder.jobs!.cancel(holder.id!)).toMatchObject({ state: 'running' })
        }
        await Promise.resolve()
      },
    })
    holder.jobs = jobs
    const { job_id } = jobs.start([{ path, name: 'big.ndjson' }])
    holder.id = job_id
    await jobs.settled(job_id)
    const last = pushed.at(-1)!
    expect(last.state).toBe('cancelled')
    expect(stored.length).toBeGreaterThanOrEqual(300)
    expect(stored.length).toBeLessThan(20_000)
    expect(last.summary).toMatchObject({
      imported: stored.length,
      error: expect.stringMatching(/cancelled/) as string,
    })
    expect(finished).toEqual([path]) // temp files are cleaned up on cancel too
    expect(jobs.cancel('nope')).toBeUndefined()
  })

  it('throttles progress pushes', async () => {
    const path = write('throttled.ndjson', ndjson(5000))
    const { jobs, pushed } = setup({ batchSize: 10, progressIntervalMs: 60_000 })
    const { job_id } = jobs.start([{ path, name: 'throttled.ndjson' }])
    await jobs.settled(job_id)
    // The first push (sizes known) and the last (done); the 500 batches in between are coalesced.
    expect(pushed.map((p) => p.state)).toEqual(['running', 'done'])
    expect(pushed[1]!.imported).toBe(5000)
  })

  it('cancels running jobs on close and refuses new ones', async () => {
    const path = write('closing.ndjson', ndjson(20_000))
    const { jobs, pushed } = setup({ sink: () => new Promise((resolve) => setTimeout(resolve, 1)) })
    jobs.start([{ path, name: 'closing.ndjson' }])
    await jobs.close()
    expect(pushed.at(-1)!.state).toBe('cancelled')
    expect(() => jobs.start([{ path, name: 'x' }])).toThrow(/shutting down/)
  })
})
