import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CallRes, ImportJob, Task } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk, raiseAlert } from '../host/test-core'
import { findChromium } from '../workspace/report-export'

// Real long operations in a real core, cancelled through tasks:cancel.
const dirs: string[] = []
const cores: Core[] = []
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.stop()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const start = async (): Promise<Core> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-tasks-'))
  dirs.push(dataDir)
  const core = await createCore({ dataDir, ephemeralPorts: true })
  cores.push(core)
  return core
}
const watchTasks = (core: Core) => {
  const pushed: Task[] = []
  core.subscribe((name, payload) => {
    if (name === 'tasks:changed') pushed.push((payload as { task: Task }).task)
  })
  return pushed
}

describe('tasks: cancelling real long operations', () => {
  it('an import cancelled part-way stops at a batch boundary: what it says it stored is what is stored', async () => {
    const core = await start()
    const pushed = watchTasks(core)
    const jobs: ImportJob[] = []
    core.subscribe((name, payload) => {
      if (name === 'import:progress') jobs.push(payload as ImportJob)
    })
    const path = join(core.dataDir, 'big.ndjson')
    const lines = 400_000
    writeFileSync(
      path,
      Array.from({ length: lines }, (_, i) =>
        JSON.stringify({ message: `line ${i} ${'x'.repeat(60)}` }),
      ).join('\n'),
    )
    const { job_id } = await callOk<{ job_id: string }>(core, 'import:start', { paths: [path] })
    // Its task moves: a progress bar between 0 and 1.
    await expect
      .poll(() => pushed.find((t) => t.kind === 'import' && (t.progress ?? 0) > 0), {
        timeout: 20_000,
        interval: 5,
      })
      .toBeDefined()
    const task = pushed.find((t) => t.kind === 'import')!
    expect(task).toMatchObject({ title: 'Import big.ndjson', cancellable: true, state: 'running' })
    const answered = await callOk<CallRes<'tasks:cancel'>>(core, 'tasks:cancel', { id: task.id })
    expect(answered.task.id).toBe(task.id)
    await expect
      .poll(() => pushed.find((t) => t.id === task.id && t.state !== 'running')?.state, { timeout: 20_000 })
      .toBe('cancelled')
    const job = jobs.find((j) => j.job_id === job_id && j.state !== 'running')!
    expect(job.state).toBe('cancelled')
    expect(job.imported).toBeLessThan(lines)
    // Whole batches: the events stored are exactly those the job counted, no more arrive later.
    await expect
      .poll(async () => (await callOk<CallRes<'system:info'>>(core, 'system:info', {})).sqlite.events, {
        timeout: 10_000,
      })
      .toBe(job.imported)
    await new Promise((r) => setTimeout(r, 300))
    expect((await callOk<CallRes<'system:info'>>(core, 'system:info', {})).sqlite.events).toBe(job.imported)
    const ended = pushed.filter((t) => t.id === task.id).at(-1)!
    expect(ended.message).toContain('Import cancelled: big.ndjson')
    expect((await callOk<CallRes<'tasks:list'>>(core, 'tasks:list', {})).tasks[0]).toMatchObject({
      id: task.id,
      state: 'cancelled',
    })
  }, 60_000)

  it('a bundle export cancelled leaves no file, not even a .partial one; the call answers cancelled', async () => {
    const core = await start()
    const pushed: Task[] = []
    // Cancel as soon as the task shows, as an operator pressing Cancel would.
    core.subscribe((name, payload) => {
      if (name !== 'tasks:changed') return
      const { task } = payload as { task: Task }
      pushed.push(task)
      if (task.kind === 'bundle' && task.state === 'running' && task.phase !== 'cancelling')
        void core.call('tasks:cancel', { id: task.id })
    })
    const result = await core.call('bundles:export', { out: join(core.dataDir, 'records.bundle') })
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(readdirSync(core.dataDir).filter((f) => f.startsWith('records.bundle'))).toEqual([])
    expect(pushed.at(-1)).toMatchObject({ kind: 'bundle', state: 'cancelled' })
    // Not cancelled, the same export writes its file.
    const core2 = await start()
    const file = join(core2.dataDir, 'records.bundle')
    await callOk(core2, 'bundles:export', { out: file })
    expect(existsSync(file)).toBe(true)
    expect(existsSync(`${file}.partial`)).toBe(false)
    expect((await callOk<CallRes<'tasks:list'>>(core2, 'tasks:list', {})).tasks[0]).toMatchObject({
      state: 'done',
      progress: 1,
    })
  }, 60_000)

  it('a hunt export cancelled leaves no file at its path; the call answers cancelled', async () => {
    const core = await start()
    const url = `http://127.0.0.1:${core.listeners.http!.port}/v1/events`
    const events = Array.from({ length: 2000 }, (_, i) => ({ message: `exported ${i}`, 'host.name': 'dc01' }))
    expect((await fetch(url, { method: 'POST', body: JSON.stringify(events) })).status).toBe(200)
    await expect
      .poll(async () => (await callOk<CallRes<'archive:status'>>(core, 'archive:status', {})).watermark_seq, {
        timeout: 20_000,
      })
      .toBeGreaterThanOrEqual(2000)
    let cancelOne = true
    core.subscribe((name, payload) => {
      const { task } = (payload ?? {}) as { task?: Task }
      if (name === 'tasks:changed' && task?.kind === 'export' && cancelOne) {
        cancelOne = false
        void core.call('tasks:cancel', { id: task.id })
      }
    })
    const path = join(core.dataDir, 'hunt.csv')
    const result = await core.call('hunt:export', { format: 'csv', path })
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(existsSync(path)).toBe(false)
    expect((await callOk<CallRes<'tasks:list'>>(core, 'tasks:list', {})).tasks[0]).toMatchObject({
      kind: 'export',
      state: 'cancelled',
    })
    // Not cancelled, it writes the file.
    const again = await callOk<CallRes<'hunt:export'>>(core, 'hunt:export', {
      format: 'csv',
      path: `${path}.2`,
    })
    expect(again.rows).toBeGreaterThanOrEqual(2000)
    expect(existsSync(`${path}.2`)).toBe(true)
  }, 60_000)

  it('a report export is a task: phases on its bar, its file in place, the result said once', async () => {
    const core = await start()
    const pushed = watchTasks(core)
    const { report } = await callOk<CallRes<'reports:create'>>(core, 'reports:create', { title: 'APT notes' })
    const path = join(core.dataDir, 'apt.md')
    const res = await callOk<CallRes<'reports:export'>>(core, 'reports:export', {
      id: report.id,
      format: 'md',
      path,
    })
    expect(readFileSync(path, 'utf8')).toContain('APT notes')
    expect(existsSync(`${path}.partial`)).toBe(false)
    const mine = pushed.filter((t) => t.kind === 'export')
    expect(mine[0]).toMatchObject({ title: 'Export report "APT notes" (Markdown)', state: 'running' })
    expect(mine.at(-1)).toMatchObject({
      state: 'done',
      progress: 1,
      message: `Exported apt.md (${res.bytes.toLocaleString('en-US')} bytes)`,
    })
    // Started and ended pushed at once; the phases between are throttled, the latest kept.
    expect(new Set(mine.map((t) => t.id)).size).toBe(1)
  })

  it.skipIf(!findChromium())(
    'an incident PDF export cancelled while Chromium prints leaves no file and no audit entry',
    async () => {
      const core = await start()
      const alert = await raiseAlert(core, 'ws-export')
      const { incident } = await callOk<CallRes<'alerts:escalate'>>(core, 'alerts:escalate', {
        ids: [alert.id],
      })
      core.subscribe((name, payload) => {
        const { task } = (payload ?? {}) as { task?: Task }
        if (name === 'tasks:changed' && task?.kind === 'export' && task.state === 'running')
          if (task.phase === 'rendering') void core.call('tasks:cancel', { id: task.id })
      })
      const exports = async () =>
        (await callOk<CallRes<'audit:list'>>(core, 'audit:list', { limit: 500 })).entries.filter(
          (e) => e.action === 'export',
        )
      const path = join(core.dataDir, 'incident.pdf')
      const started = Date.now()
      const result = await core.call('incidents:export', { id: incident.id, format: 'pdf', path })
      expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } })
      expect(readdirSync(core.dataDir).filter((f) => f.startsWith('incident.pdf'))).toEqual([])
      expect(await exports()).toEqual([])
      const [task] = (await callOk<CallRes<'tasks:list'>>(core, 'tasks:list', {})).tasks
      expect(task).toMatchObject({ kind: 'export', state: 'cancelled' })
      expect(task!.title).toMatch(/^Export incident ".*" \(PDF\)$/)
      // Chromium was killed, not waited for (its own limit is 60 s).
      expect(Date.now() - started).toBeLessThan(30_000)
    },
    60_000,
  )

  it('tasks:cancel names an unknown task: not_found with where to look', async () => {
    const core = await start()
    const result = await core.call('tasks:cancel', { id: 'nope' })
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(result.ok ? '' : result.error.message).toContain('tasks:list')
  })
})
