import { describe, expect, it } from 'vitest'
import { ok, type ImportJob, type Result } from '../../../collector/contract'
import type { Transport } from '../transport'
import { createAppStore } from './store'

const job = (job_id: string, patch: Partial<ImportJob> = {}): ImportJob => ({
  job_id,
  file: 'a.ndjson',
  bytes_read: 0,
  bytes_total: 10,
  records: 0,
  imported: 0,
  rejected: 0,
  state: 'running',
  ...patch,
})

const fakeTransport = (kind: 'ipc' | 'http') => {
  const calls: Array<{ name: string; req: unknown }> = []
  const uploads: string[] = []
  let next = 0
  const transport: Transport = {
    kind,
    invoke: (name, req) => {
      calls.push({ name, req })
      const value: unknown =
        name === 'import:start'
          ? { job_id: `job-${++next}` }
          : name === 'dialog:open'
            ? { paths: ['/var/log/x.evtx'] }
            : { jobs: [] }
      return Promise.resolve(ok(value) as Result<never>)
    },
    on: () => () => {},
    onConnection: () => () => {},
    upload: (file) => {
      uploads.push(file.name)
      return Promise.resolve(ok({ upload_id: `up-${file.name}` }))
    },
    pathForFile: (file) => (kind === 'ipc' ? `/home/op/${file.name}` : null),
  }
  return { transport, calls, uploads }
}

describe('import slice', () => {
  it('in the browser uploads each file and starts one job per upload', async () => {
    const { transport, calls, uploads } = fakeTransport('http')
    const store = createAppStore(transport)
    await store.getState().importFiles([new File(['{}'], 'a.ndjson'), new File(['{}'], 'b.csv')])
    expect(uploads).toEqual(['a.ndjson', 'b.csv'])
    expect(calls.map((c) => c.req)).toEqual([{ upload_id: 'up-a.ndjson' }, { upload_id: 'up-b.csv' }])
    expect(store.getState().importJobs.map((j) => [j.job_id, j.file])).toEqual([
      ['job-2', 'b.csv'],
      ['job-1', 'a.ndjson'],
    ])
    expect(store.getState().importUploads).toEqual([])
  })

  it('on the desktop imports dropped and chosen files by path', async () => {
    const { transport, calls, uploads } = fakeTransport('ipc')
    const store = createAppStore(transport)
    await store.getState().importFiles([new File(['{}'], 'a.ndjson')])
    await store.getState().chooseImportFiles()
    expect(uploads).toEqual([])
    expect(calls.filter((c) => c.name === 'import:start').map((c) => c.req)).toEqual([
      { paths: ['/home/op/a.ndjson'] },
      { paths: ['/var/log/x.evtx'] },
    ])
  })

  it('keeps the newest state of each job from pushes', () => {
    const store = createAppStore(fakeTransport('http').transport)
    store.getState().importProgress(job('j1', { bytes_read: 5 }))
    store.getState().importProgress(job('j2'))
    store.getState().importProgress(job('j1', { bytes_read: 10, state: 'done' }))
    expect(store.getState().importJobs.map((j) => [j.job_id, j.state, j.bytes_read])).toEqual([
      ['j2', 'running', 0],
      ['j1', 'done', 10],
    ])
  })
})
