import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { AgentInfo } from '../contract'
import type { Audited } from '../detect/rule-calls'
import { silentLogger } from '../host/log'
import { AgentsRepo, RUNS_KEPT } from '../store/sqlite/agents-repo'
import { AuditLog } from '../store/sqlite/audit-repo'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { AgentScheduler, type AgentDefinition, type Clock } from './scheduler'
import type { AgentRunner, AgentRunResult } from './types'

/** A clock moved by hand: timers fire in time order as `advance` passes them. */
class FakeClock implements Clock {
  private t: number
  private timers: Array<{ at: number; run: () => void; id: number }> = []
  private nextId = 1
  constructor(start: number) {
    this.t = start
  }
  now(): number {
    return this.t
  }
  setTimer(run: () => void, ms: number): unknown {
    const id = this.nextId++
    this.timers.push({ at: this.t + ms, run, id })
    return id
  }
  clearTimer(timer: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== timer)
  }
  get pending(): number[] {
    return this.timers.map((t) => t.at).sort((a, b) => a - b)
  }
  /** Moves time forward, firing due timers and letting their promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms
    for (;;) {
      await settle()
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0]
      if (!due) break
      this.timers = this.timers.filter((t) => t !== due)
      this.t = Math.max(this.t, due.at)
      due.run()
    }
    this.t = end
    await settle()
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

const OK: AgentRunResult = { outcome: 'ok', summary: 'fine', output: { n: 1 }, alerts: 0, actions: 0 }
const T0 = Date.parse('2026-12-01T00:00:00Z')

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const setup = () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-agents-'))
  dirs.push(dir)
  const store = SqliteStore.open(join(dir, 'outpost.sqlite'), { synchronous: 'normal' })
  const audit = new AuditLog(store.db)
  const audited: Audited = (entry, change) =>
    store.db.transaction(() => {
      const value = change()
      audit.append({ ...(typeof entry === 'function' ? entry(value) : entry), actor: 'test' })
      return value
    })()
  const changes: AgentInfo[] = []
  const make = (clock: FakeClock, runner: AgentRunner, budgetMs?: number, onAbort?: () => void) => {
    const definition: AgentDefinition = {
      name: 'monitor',
      title: 'Monitor',
      description: 'test',
      defaults: { enabled: true, interval_s: 300, options: { silent_after_s: 3600 } },
      runner,
      ...(budgetMs ? { budgetMs } : {}),
      ...(onAbort ? { onAbort } : {}),
    }
    return new AgentScheduler(
      { repo: new AgentsRepo(store.db), audited, changed: (a) => changes.push(a), log: silentLogger, clock },
      [definition],
    )
  }
  return { store, audit, changes, make, close: () => store.close() }
}

describe('AgentScheduler', () => {
  it('runs an agent every interval on the fake clock and records each run', async () => {
    const { make, close, store } = setup()
    try {
      const clock = new FakeClock(T0)
      let calls = 0
      const scheduler = make(clock, () => {
        calls++
        return Promise.resolve(OK)
      })
      scheduler.start()
      expect(scheduler.info('monitor').next_run_at).toBe(new Date(T0 + 300_000).toISOString())
      // A settings change before the first run keeps counting from the start.
      await clock.advance(100_000)
      scheduler.update('monitor', { options: { silent_after_s: 7200 } })
      expect(scheduler.info('monitor').next_run_at).toBe(new Date(T0 + 300_000).toISOString())
      await clock.advance(199_999)
      expect(calls).toBe(0)
      await clock.advance(1)
      expect(calls).toBe(1)
      await clock.advance(300_000 * 3)
      expect(calls).toBe(4)
      const { runs, total } = scheduler.runs('monitor', 10)
      expect(total).toBe(4)
      expect(runs[0]).toMatchObject({ outcome: 'ok', summary: 'fine', trigger: 'schedule', output: { n: 1 } })
      expect(runs.map((r) => Date.parse(r.started_at) - T0)).toEqual([1_200_000, 900_000, 600_000, 300_000])
      // Scheduled runs are not audited (the scheduler did them); the settings change is.
      expect(store.db.prepare('SELECT action FROM audit_log').all()).toEqual([{ action: 'update' }])
      await scheduler.stop()
    } finally {
      close()
    }
  })

  it('re-plans on an interval change, stops when disabled, and audits each change', async () => {
    const { make, close, audit, changes } = setup()
    try {
      const clock = new FakeClock(T0)
      let calls = 0
      const scheduler = make(clock, () => {
        calls++
        return Promise.resolve(OK)
      })
      scheduler.start()
      await clock.advance(300_000)
      expect(calls).toBe(1)
      const updated = scheduler.update('monitor', { interval_s: 60, options: { silent_after_s: 600 } })
      expect(updated).toMatchObject({ interval_s: 60, options: { silent_after_s: 600 } })
      expect(updated.next_run_at).toBe(new Date(T0 + 360_000).toISOString())
      await clock.advance(60_000)
      expect(calls).toBe(2)
      scheduler.update('monitor', { enabled: false })
      expect(scheduler.info('monitor')).toMatchObject({ enabled: false, next_run_at: null })
      expect(clock.pending).toEqual([])
      await clock.advance(3_600_000)
      expect(calls).toBe(2)
      // Enabled again: due an interval after the last run, which is long past: now.
      scheduler.update('monitor', { enabled: true })
      await clock.advance(0)
      expect(calls).toBe(3)
      expect(audit.list(10).map((e) => [e.action, e.object_type, e.object_id])).toEqual([
        ['update', 'agent', 'monitor'],
        ['update', 'agent', 'monitor'],
        ['update', 'agent', 'monitor'],
      ])
      expect(audit.list(10)[2]!.details).toMatchObject({ interval_s: 60, before: { interval_s: 300 } })
      expect(changes.some((c) => !c.enabled)).toBe(true)
      await scheduler.stop()
    } finally {
      close()
    }
  })

  it('runs one at a time: run now while running is refused, and a manual run is audited', async () => {
    const { make, close, audit } = setup()
    try {
      const clock = new FakeClock(T0)
      let release: (r: AgentRunResult) => void = () => {}
      let calls = 0
      const scheduler = make(clock, () => {
        calls++
        return new Promise((resolve) => (release = resolve))
      })
      scheduler.start()
      const run = scheduler.runNow('monitor')
      expect(scheduler.info('monitor').running).toBe(true)
      expect(() => scheduler.runNow('monitor')).toThrow(/running already/)
      // The schedule does not start a second one while it runs (and its budget is 300 s).
      expect(clock.pending).toEqual([T0 + 300_000])
      await clock.advance(299_000)
      expect(calls).toBe(1)
      release({ ...OK, summary: 'manual' })
      expect(await run).toMatchObject({ trigger: 'manual', outcome: 'ok', summary: 'manual' })
      expect(scheduler.info('monitor').running).toBe(false)
      expect(audit.list(10).map((e) => [e.action, e.object_id])).toEqual([['run', 'monitor']])
      // Next run counts from the manual run's start.
      expect(scheduler.info('monitor').next_run_at).toBe(new Date(T0 + 300_000).toISOString())
      await scheduler.stop()
    } finally {
      close()
    }
  })

  it('records a thrown error as a failed run with its message', async () => {
    const { make, close } = setup()
    try {
      const scheduler = make(new FakeClock(T0), () => Promise.reject(new Error('disk on fire')))
      const run = await scheduler.runNow('monitor')
      expect(run).toMatchObject({
        outcome: 'failed',
        summary: 'failed: disk on fire',
        output: { error: 'disk on fire' },
      })
    } finally {
      close()
    }
  })

  it('aborts a run past its time budget through its signal', async () => {
    const { make, close } = setup()
    try {
      const clock = new FakeClock(T0)
      let seen: AbortSignal | undefined
      let interrupted = 0
      let finish: () => void = () => {}
      const scheduler = make(
        clock,
        (signal) => {
          seen = signal
          // Ignores its signal; only the abort hook (a DuckDB interrupt, say) ends it.
          return new Promise((_, reject) => (finish = () => reject(new Error('interrupted'))))
        },
        5_000,
        () => {
          interrupted++
          finish()
        },
      )
      const run = scheduler.runNow('monitor')
      await clock.advance(4_999)
      expect(seen?.aborted).toBe(false)
      await clock.advance(1)
      expect(seen?.aborted).toBe(true)
      expect(await run).toMatchObject({
        outcome: 'failed',
        summary: 'aborted: ran past its time budget of 5 s',
        duration_ms: 5_000,
      })
      expect(interrupted).toBe(1)
    } finally {
      close()
    }
  })

  it('keeps its rhythm across a restart and closes runs a crash left open', async () => {
    const { make, close, store } = setup()
    try {
      const clock = new FakeClock(T0)
      const first = make(clock, () => Promise.resolve(OK))
      first.start()
      await clock.advance(300_000) // ran at T0+300s
      await first.stop()
      // A run left open, as if Outpost died during it.
      const repo = new AgentsRepo(store.db)
      const open = repo.startRun('monitor', 'schedule', T0 + 400_000)
      clock.setTimer(() => {}, 0)
      await clock.advance(100_000) // now T0+500s
      const second = make(clock, () => Promise.resolve(OK))
      second.start()
      expect(repo.run(open)).toMatchObject({
        outcome: 'failed',
        summary: 'interrupted: Outpost stopped during the run',
      })
      // Due an interval after the last stored start (the interrupted one at T0+400s).
      expect(second.info('monitor').next_run_at).toBe(new Date(T0 + 700_000).toISOString())
      await second.stop()
    } finally {
      close()
    }
  })

  it('keeps the newest runs only', () => {
    const { close, store } = setup()
    try {
      const repo = new AgentsRepo(store.db)
      for (let i = 0; i < RUNS_KEPT + 5; i++)
        repo.finishRun(repo.startRun('monitor', 'schedule', T0 + i), OK, T0 + i + 1)
      repo.finishRun(repo.startRun('analyzer', 'manual', T0), OK, T0 + 1)
      const { runs, total } = repo.runs('monitor', 1)
      expect(total).toBe(RUNS_KEPT)
      expect(Date.parse(runs[0]!.started_at)).toBe(T0 + RUNS_KEPT + 4)
      expect(repo.runs('analyzer', 10).total).toBe(1)
    } finally {
      close()
    }
  })
})

describe('AgentScheduler.stop', () => {
  it('aborts a running run, records it, and waits (bounded) for the runner to wind down', async () => {
    const { make, close } = setup()
    try {
      const clock = new FakeClock(T0)
      let wound = false
      const scheduler = make(
        clock,
        (signal) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () =>
              // Winds down a moment after the abort, as a query being interrupted does.
              setTimeout(() => {
                wound = true
                reject(new Error('interrupted'))
              }, 20),
            ),
          ),
      )
      scheduler.start()
      const run = scheduler.runNow('monitor')
      await settle() // the runner is under way
      await scheduler.stop()
      expect(wound).toBe(true)
      expect(await run).toMatchObject({ outcome: 'failed', summary: 'aborted: Outpost is stopping' })
      expect(scheduler.info('monitor')).toMatchObject({ running: false, next_run_at: null })
      await expect(Promise.resolve().then(() => scheduler.runNow('monitor'))).rejects.toThrow('stopping')
    } finally {
      close()
    }
  })
})
