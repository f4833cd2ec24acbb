import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../../contract'
import { createCore, type Core } from '../create-core'
import { OUTPOST_BIN } from '../serve-process'
import { callOk } from '../test-core'

// The built CLI (`npx electron-vite build`) as a real process; cores in this process in between.
const outpost = (args: string[]) => spawnSync(process.execPath, [OUTPOST_BIN, ...args], { encoding: 'utf8' })

const archivedCount = async (core: Core, events: number): Promise<void> => {
  for (let i = 0; i < 200; i++) {
    const status = await callOk<CallRes<'archive:status'>>(core, 'archive:status', {})
    if (status.lag === 0 && status.events >= events) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`the archive did not reach ${events} events`)
}

describe('outpost archive export / import', () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-archive-cli-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('carries a day of events to another data dir as Parquet, once', async () => {
    const source = join(root, 'source')
    const core = await createCore({ dataDir: source, ephemeralPorts: true })
    try {
      const events = [
        { '@timestamp': '2026-11-20T23:59:59Z', host: 'ws01', message: 'day before' },
        { '@timestamp': '2026-11-21T00:00:00Z', host: 'ws01', Image: 'C:\\x\\cmd.exe', message: 'first' },
        { '@timestamp': '2026-11-21T23:59:59Z', host: 'ws02', message: 'last' },
        { '@timestamp': '2026-11-22T00:00:00Z', host: 'ws03', message: 'day after' },
      ]
      const response = await fetch(`http://127.0.0.1:${core.listeners.http!.port}/v1/events`, {
        method: 'POST',
        body: JSON.stringify(events),
      })
      expect(response.status).toBe(200)
      await archivedCount(core, 4)
    } finally {
      await core.stop()
    }
    const file = join(root, 'day.parquet')
    const exported = outpost([
      'archive',
      'export',
      '--day',
      '2026-11-21',
      '--out',
      file,
      '--data-dir',
      source,
    ])
    expect(exported.stderr).toBe('')
    expect(exported.stdout).toBe(`exported 2 events of 2026-11-21 to ${file}\n`)
    expect(exported.status).toBe(0)
    expect(existsSync(file)).toBe(true)

    const target = join(root, 'target')
    const imported = outpost(['archive', 'import', file, '--data-dir', target])
    expect(imported.stdout).toBe(`imported 2 events from ${file} (0 already archived)\n`)
    expect(imported.status).toBe(0)
    const again = outpost(['archive', 'import', file, '--data-dir', target])
    expect(again.stdout).toBe(`imported 0 events from ${file} (2 already archived)\n`)

    const other = await createCore({ dataDir: target, ephemeralPorts: true })
    try {
      const found = await callOk<CallRes<'hunt:search'>>(other, 'hunt:search', { query: 'process:*cmd.exe' })
      expect(found.rows.map((r) => [r.message, r.host, r.timestamp])).toEqual([
        ['first', 'ws01', '2026-11-21T00:00:00.000Z'],
      ])
      const status = await callOk<CallRes<'archive:status'>>(other, 'archive:status', {})
      // Imported events are the archive's, not the operational store's: no watermark moves.
      expect(status).toMatchObject({ events: 2, watermark_seq: 0, sqlite_newest_seq: 0 })
    } finally {
      await other.stop()
    }
  })

  it('explains bad usage', () => {
    expect(outpost(['archive']).stderr).toContain('say what to do: export or import')
    const badDay = outpost([
      'archive',
      'export',
      '--day',
      '21/11/2026',
      '--out',
      'x.parquet',
      '--data-dir',
      root,
    ])
    expect(badDay.status).toBe(2)
    expect(badDay.stderr).toContain('--day must be a date as YYYY-MM-DD')
    const missing = outpost(['archive', 'import', join(root, 'nope.parquet'), '--data-dir', root])
    expect(missing.stderr).toContain('no such file')
    const notParquet = join(root, 'source', 'config.yaml')
    const wrong = outpost(['archive', 'import', notParquet, '--data-dir', join(root, 'x')])
    expect(wrong.status).toBe(1)
    expect(wrong.stderr).toContain('is not a Parquet file')
  })
})
