import { describe, expect, it } from 'vitest'
import type { CommittedEvent } from './events-repo'
import { LiveRows, Rerun } from './live-rows'

const row = (seq: number): CommittedEvent => ({
  seq,
  id: `e${seq}`,
  kind: 'event',
  ts: seq,
  host: null,
  fields: '{}',
})
const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => row(from + i))

describe('live rows', () => {
  it('hands out offered rows that continue the cursor, and reads the store for anything else', () => {
    const reads: Array<[number, number]> = []
    const live = new LiveRows((cursor, limit) => {
      reads.push([cursor, limit])
      return rows(cursor + 1, cursor + limit)
    })
    live.offer(rows(11, 20))
    expect(live.queued).toBe(10)
    // A gap before the queue (rows 6..10 not offered): read from the store.
    expect(live.next(5, 3).map((r) => r.seq)).toEqual([6, 7, 8])
    expect(reads).toEqual([[5, 3]])
    expect(live.next(10, 4).map((r) => r.seq)).toEqual([11, 12, 13, 14])
    // Rows at or below the cursor are dropped; the rest comes from memory.
    expect(live.next(16, 100).map((r) => r.seq)).toEqual([17, 18, 19, 20])
    expect(live.queued).toBe(0)
    expect(reads).toHaveLength(1)
  })

  it('drops the queue rather than grow past its bound: the store has the rows', () => {
    const live = new LiveRows<CommittedEvent>(() => [])
    live.offer(rows(1, 15_000))
    live.offer(rows(15_001, 30_000))
    expect(live.queued).toBe(0)
  })
})

describe('rerun', () => {
  it('runs once at a time and once more when kicked meanwhile, and not when not allowed', async () => {
    let runs = 0
    let allowed = true
    let release: () => void = () => {}
    const rerun = new Rerun(
      () => {
        runs++
        return new Promise<void>((resolve) => (release = resolve))
      },
      () => {},
      () => allowed,
    )
    rerun.kick()
    rerun.kick()
    rerun.kick()
    expect(runs).toBe(1)
    release()
    await new Promise((r) => setImmediate(r))
    expect(runs).toBe(2)
    release()
    await rerun.idle()
    expect(runs).toBe(2)
    allowed = false
    rerun.kick()
    expect(runs).toBe(2)
  })

  it('reports a failed run and runs again at the next kick', async () => {
    const failures: string[] = []
    let fail = true
    const rerun = new Rerun(
      () => (fail ? Promise.reject(new Error('disk full')) : Promise.resolve()),
      (error) => failures.push(error.message),
      () => true,
    )
    rerun.kick()
    await rerun.idle()
    fail = false
    rerun.kick()
    await rerun.idle()
    expect(failures).toEqual(['disk full'])
  })
})
