import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { EventPayload, ImportJob } from '../contract'
import { createCore, type Core } from './create-core'
import { newUpload } from './uploads'

const dirs: string[] = []
const cores: Core[] = []
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.stop()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const start = async (): Promise<Core> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-core-import-'))
  dirs.push(dataDir)
  const core = await createCore({ dataDir, ephemeralPorts: true })
  cores.push(core)
  return core
}
const ndjson = (n: number): string =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ message: `m${i}` })).join('\n') + '\n'

/** Collects pushes until the job's last one. */
const watch = (core: Core) => {
  const progress: ImportJob[] = []
  const appended: Array<EventPayload<'events:appended'>> = []
  core.subscribe((name, payload) => {
    if (name === 'import:progress') progress.push(payload as ImportJob)
    if (name === 'events:appended') appended.push(payload as EventPayload<'events:appended'>)
  })
  const ended = (jobId: string) =>
    expect
      .poll(() => progress.find((p) => p.job_id === jobId && p.state !== 'running')?.state, { timeout: 5000 })
      .toBeDefined()
  return { progress, appended, ended }
}

describe('import calls in the core', () => {
  it('imports paths through the ingest pipeline: listener import, pushed live, listed', async () => {
    const core = await start()
    const { progress, appended, ended } = watch(core)
    const path = join(core.dataDir, 'a.ndjson')
    writeFileSync(path, ndjson(1500))
    const started = await core.call('import:start', { paths: [path] })
    expect(started.ok).toBe(true)
    const { job_id } = (started as { value: { job_id: string } }).value
    await ended(job_id)
    expect(progress.at(-1)).toMatchObject({ state: 'done', imported: 1500, file: path })
    expect(appended.at(-1)?.total).toBe(1500)
    expect(appended.at(-1)?.events[0]).toMatchObject({ listener: 'import', source: path })
    expect(await core.call('import:list', {})).toMatchObject({
      ok: true,
      value: { jobs: [{ job_id, state: 'done', summary: { imported: 1500 } }] },
    })
    expect(await core.call('import:cancel', { job_id })).toMatchObject({
      ok: true,
      value: { job: { state: 'done' } },
    })
    expect(await core.call('import:cancel', { job_id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
  })

  it('imports an upload under its own name and deletes it; unknown uploads are not found', async () => {
    const core = await start()
    const { progress, ended } = watch(core)
    const uploads = join(core.dataDir, 'uploads')
    mkdirSync(uploads, { recursive: true })
    const upload = newUpload(uploads, 'fw logs.csv')
    writeFileSync(upload.path, 'host,message\nfw-1,allowed\nfw-2,denied\n')
    const started = await core.call('import:start', { upload_id: upload.id })
    const { job_id } = (started as { value: { job_id: string } }).value
    await ended(job_id)
    expect(progress.at(-1)).toMatchObject({ state: 'done', file: 'fw logs.csv', imported: 2 })
    expect(readdirSync(uploads)).toEqual([])
    expect(await core.call('import:start', { upload_id: upload.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    expect(await core.call('import:start', { paths: [] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    })
  })
})
