import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../host/log'
import { HuntsRepo } from '../store/sqlite/hunts-repo'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { HuntScheduler } from './hunt-calls'
import type { HuntService } from './hunt-service'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('HuntScheduler', () => {
  it('runs scheduled hunts when due and records their counts; on-demand ones never', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-hunts-'))
    dirs.push(dir)
    const store = SqliteStore.open(join(dir, 'outpost.sqlite'), { synchronous: 'normal' })
    try {
      const repo = new HuntsRepo(store.db)
      const t0 = Date.parse('2026-11-22T12:00:00Z')
      const every = repo.save(
        undefined,
        { name: 'a', query: 'x', from: '-1h', to: null, schedule_minutes: 10 },
        t0,
      )
      const manual = repo.save(
        undefined,
        { name: 'b', query: 'y', from: null, to: null, schedule_minutes: null },
        t0,
      )
      const asked: string[] = []
      const hunt = {
        count: (query: string) => {
          asked.push(query)
          if (query === 'bad') throw new Error('nope')
          return Promise.resolve(42)
        },
      } as unknown as HuntService
      const scheduler = new HuntScheduler(repo, hunt, silentLogger)
      await scheduler.tick(t0)
      expect(asked).toEqual(['x'])
      expect(repo.get(every!.id)).toMatchObject({ last_count: 42 })
      expect(repo.get(manual!.id)).toMatchObject({ last_run_at: null, last_count: null })
      expect(repo.due(Date.now() + 9 * 60_000)).toEqual([])
      expect(repo.due(Date.now() + 10 * 60_000).map((h) => h.id)).toEqual([every!.id])

      repo.save(every!.id, { name: 'a', query: 'bad', from: null, to: null, schedule_minutes: 5 })
      await scheduler.tick(Date.now() + 3_600_000)
      expect(repo.get(every!.id)).toMatchObject({ last_count: -1 })
      await scheduler.stop()
    } finally {
      store.close()
    }
  })
})
