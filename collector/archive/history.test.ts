import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes, RuleTest } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { dataFiles } from '../host/paths'
import { callOk } from '../host/test-core'

const RULE = `title: History Whoami
id: 5b0c2f0e-8f7a-4d55-9d5e-6c1b2a3f4e01
logsource: {product: windows, category: process_creation}
detection:
  selection: {Image|endswith: '\\\\whoami.exe'}
  condition: selection
level: low
`

const whoami = (i: number) => ({
  Channel: 'Microsoft-Windows-Sysmon/Operational',
  EventID: 1,
  Computer: `ws-${i % 3}`,
  '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  Image: i % 2 === 0 ? 'C:\\Windows\\System32\\whoami.exe' : 'C:\\Windows\\System32\\notepad.exe',
})

describe('rule tests over history', () => {
  let core: Core
  let dataDir: string
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-history-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
  })
  afterAll(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const post = async (events: object[]) => {
    const url = `http://127.0.0.1:${core.listeners.http!.port}/v1/events`
    expect((await fetch(url, { method: 'POST', body: JSON.stringify(events) })).status).toBe(200)
  }

  it('read the archive for events SQLite no longer keeps, then SQLite for the newest', async () => {
    await post(Array.from({ length: 40 }, (_, i) => whoami(i)))
    for (let i = 0; ; i++) {
      const status = await callOk<CallRes<'archive:status'>>(core, 'archive:status', {})
      if (status.lag === 0 && status.events >= 40) break
      if (i > 200) throw new Error('the archive did not catch up')
      await new Promise((r) => setTimeout(r, 25))
    }
    // Retention has moved the oldest 30 out of SQLite: only the archive holds them now.
    const db = new Database(dataFiles(dataDir).sqlite)
    db.prepare('DELETE FROM events WHERE seq <= 30').run()
    db.close()
    await post([whoami(100)])

    const { test_id } = await callOk<CallRes<'rules:test'>>(core, 'rules:test', { text: RULE, limit: 1000 })
    let done: RuleTest | undefined
    const off = core.subscribe((name, payload) => {
      const test = payload as RuleTest
      if (name === 'rules:test-progress' && test.test_id === test_id && test.state !== 'running') done = test
    })
    for (let i = 0; i < 200 && !done; i++) await new Promise((r) => setTimeout(r, 25))
    off()
    // 20 of the 40 archived events, and the newest one (not archived yet, or just archived).
    expect(done).toMatchObject({ state: 'done', matches: 21, scanned: 41, error: null })
  })
})
