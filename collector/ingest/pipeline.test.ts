import { describe, expect, it } from 'vitest'
import type { EventsRepo, NewEvent } from '../store/sqlite/events-repo'
import { BusyError, IngestPipeline, submitPatiently } from './pipeline'

const event = (n: number): NewEvent => ({
  id: `e${n}`,
  ts: 0,
  received_at: 0,
  listener: 'test',
  source: null,
  host: null,
  severity: null,
  message: null,
  fields: '{}',
})
const events = (count: number, from = 0) => Array.from({ length: count }, (_, i) => event(from + i))

/** A repo that records what each commit held. */
const recordingRepo = () => {
  const commits: number[] = []
  const repo = {
    commit: (submissions: ReadonlyArray<{ events: readonly NewEvent[] }>) => {
      const inserted = submissions.reduce((n, s) => n + s.events.length, 0)
      commits.push(inserted)
      return {
        range: { first: 1, last: inserted, inserted },
        duplicates: submissions.map(() => false),
        alerts: 0,
      }
    },
  } as unknown as EventsRepo
  return { repo, commits }
}

describe('IngestPipeline', () => {
  it('commits everything submitted in one turn of the event loop together', async () => {
    const { repo, commits } = recordingRepo()
    const pipeline = new IngestPipeline(repo, () => {})
    await Promise.all([
      pipeline.submit(events(3)),
      pipeline.submit(events(2, 3)),
      pipeline.submit(events(1, 5)),
    ])
    expect(commits).toEqual([6])
  })

  it('refuses past max_pending_events without taking any of it, then takes again after the commit', async () => {
    const { repo, commits } = recordingRepo()
    const pipeline = new IngestPipeline(repo, () => {}, 10)
    const first = pipeline.submit(events(8))
    await expect(pipeline.submit(events(5, 8))).rejects.toThrow(BusyError)
    await first
    await pipeline.submit(events(5, 8))
    expect(commits).toEqual([8, 5])
    // A single submission larger than the bound is still taken when nothing waits.
    await pipeline.submit(events(50, 100))
    expect(commits.at(-1)).toBe(50)
  })

  it('lets stream listeners wait out a busy store instead of losing what they read', async () => {
    const { repo, commits } = recordingRepo()
    const pipeline = new IngestPipeline(repo, () => {}, 10)
    const first = pipeline.submit(events(10))
    const patient = submitPatiently(pipeline, events(4, 10))
    await Promise.all([first, patient])
    expect(commits).toEqual([10, 4])
  })
})
