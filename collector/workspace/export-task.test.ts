import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ContractError } from '../contract'
import type { Audited } from '../detect/rule-calls'
import { sampleDocument } from './export/fixtures'
import { deliverExport, EXPORT_WRITE_CHUNK, type ExportTask } from './report-calls'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-export-task-'))
  dirs.push(dir)
  return dir
}

/** Records audit entries as the core's `audited` would commit them: only when the change succeeds. */
const recorder = () => {
  const entries: unknown[] = []
  const audited: Audited = (entry, change) => {
    const value = change()
    entries.push(typeof entry === 'function' ? entry(value) : entry)
    return value
  }
  return { entries, audited }
}

/** A task that records its phases and aborts itself when `stopAt` says so. */
const taskThat = (stopAt: (fraction: number | null, phase: string | undefined) => boolean) => {
  const controller = new AbortController()
  const seen: Array<[number | null, string | undefined]> = []
  const task: ExportTask = {
    signal: controller.signal,
    progress(fraction, phase) {
      seen.push([fraction, phase])
      if (stopAt(fraction, phase)) controller.abort()
    },
  }
  return { task, seen }
}

// A document whose Markdown is several write chunks long.
const big = () =>
  sampleDocument({
    body_markdown: Array.from({ length: 40_000 }, (_, i) => `line ${i} ${'x'.repeat(80)}`).join('\n'),
  })

describe('an export run as a task', () => {
  it('says its phases and a rising fraction, and writes the whole file in place', async () => {
    const dir = freshDir()
    const path = join(dir, 'doc.md')
    const { entries, audited } = recorder()
    const { task, seen } = taskThat(() => false)
    const res = await deliverExport({ call: 'reports:export', doc: big(), format: 'md', path, audited, task })
    expect(res.bytes).toBeGreaterThan(3 * EXPORT_WRITE_CHUNK)
    expect(readFileSync(path).length).toBe(res.bytes)
    expect(readdirSync(dir)).toEqual(['doc.md'])
    expect(entries).toHaveLength(1)
    const phases = [...new Set(seen.map(([, phase]) => phase))]
    expect(phases).toEqual(['rendering', 'writing'])
    const fractions = seen.map(([fraction]) => fraction ?? 0)
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b))
    expect(fractions.at(-1)).toBe(1)
  })

  it('cancelled part-way through writing: the partial file is removed, nothing audited, the call says cancelled', async () => {
    const dir = freshDir()
    const path = join(dir, 'doc.md')
    const { entries, audited } = recorder()
    // Cancel once some chunks are on disk, as an operator's Cancel would land.
    const { task, seen } = taskThat((fraction, phase) => phase === 'writing' && (fraction ?? 0) > 0.6)
    const run = deliverExport({ call: 'reports:export', doc: big(), format: 'md', path, audited, task })
    await expect(run).rejects.toThrow(ContractError)
    await expect(run).rejects.toMatchObject({ code: 'cancelled' })
    expect(seen.some(([fraction, phase]) => phase === 'writing' && (fraction ?? 0) > 0.6)).toBe(true)
    expect(seen.at(-1)![0]).toBeLessThan(1) // stopped before the end
    expect(readdirSync(dir)).toEqual([])
    expect(existsSync(path)).toBe(false)
    expect(entries).toEqual([])
  })

  it('cancelled before rendering or after it: no file either', async () => {
    for (const stopAt of ['rendering', 'sending'] as const) {
      const dir = freshDir()
      const { entries, audited } = recorder()
      const { task } = taskThat((_, phase) => phase === stopAt)
      const path = stopAt === 'sending' ? null : join(dir, 'doc.md')
      await expect(
        deliverExport({ call: 'incidents:export', doc: big(), format: 'md', path, audited, task }),
      ).rejects.toMatchObject({ code: 'cancelled' })
      expect(readdirSync(dir)).toEqual([])
      expect(entries).toEqual([])
    }
  })
})
