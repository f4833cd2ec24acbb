import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk, raiseAlert } from '../host/test-core'
import { SyncConsoles } from './core/consoles'

// A console and a team core, both in this process, the core's sync API on loopback: what the
// console pushes shows in the core's own incidents, not only in its record store.
describe('pushed records in a core’s own views', () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-sync-apply-'))
  let team: Core
  let analyst: Core
  let server: Server
  let url = ''
  beforeAll(async () => {
    ;[team, analyst] = await Promise.all([
      createCore({ dataDir: join(root, 'core'), ephemeralPorts: true, role: 'core' }),
      createCore({ dataDir: join(root, 'console'), ephemeralPorts: true }),
    ])
    const api = team.syncApi
    if (!api) throw new Error('a core answers the sync API')
    server = createServer((req, res) => {
      void api.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }, 60_000)
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await Promise.all([team.stop(), analyst.stop()])
    rmSync(root, { recursive: true, force: true })
  })

  it("a console's incident with a comment appears in the core's incidents:get, once", async () => {
    // The console's token, made as `outpost sync consoles add` does (another connection, WAL).
    const db = new Database(join(root, 'core', 'outpost.sqlite'))
    db.pragma('busy_timeout = 5000')
    const { token } = new SyncConsoles(db).add('ws-analyst-1', 'analyst')
    db.close()
    await callOk(analyst, 'sync:connect', { url, token })

    const alert = await raiseAlert(analyst, 'ws-3')
    const { incident } = await callOk<CallRes<'alerts:escalate'>>(analyst, 'alerts:escalate', {
      ids: [alert.id],
      title: 'Beacon from ws-3',
    })
    await callOk(analyst, 'incidents:comment', { id: incident.id, body: 'Host isolated.' })
    await callOk(analyst, 'incidents:update', { id: incident.id, status: 'triage', assignee: 'alice' })
    const pushed: string[] = []
    const unsubscribe = team.subscribe((name, payload) => {
      if (name === 'incidents:changed') pushed.push((payload as { id: string }).id)
    })
    await callOk(analyst, 'sync:push-now', {})
    unsubscribe()
    expect(pushed).toContain(incident.id)

    const got = await callOk<CallRes<'incidents:get'>>(team, 'incidents:get', { id: incident.id })
    expect(got.incident).toMatchObject({ title: 'Beacon from ws-3', status: 'triage', assignee: 'alice' })
    expect(got.comments.map((c) => c.body)).toEqual(['Host isolated.'])
    expect(got.alerts.map((a) => a.id)).toEqual([alert.id])

    // A later change updates the same incident; the comment is not added twice.
    await callOk(analyst, 'incidents:update', { id: incident.id, status: 'contained' })
    await callOk(analyst, 'sync:push-now', {})
    const later = await callOk<CallRes<'incidents:get'>>(team, 'incidents:get', { id: incident.id })
    expect(later.incident.status).toBe('contained')
    expect(later.comments.map((c) => c.body)).toEqual(['Host isolated.'])
    const { incidents } = await callOk<CallRes<'incidents:list'>>(team, 'incidents:list', {})
    expect(incidents.filter((i) => i.id === incident.id)).toHaveLength(1)
  }, 60_000)

  it('keeps no outbox on the core: its own changes are versioned, not queued for no one', async () => {
    const own = await raiseAlert(team, 'core-host-1')
    const { incident } = await callOk<CallRes<'alerts:escalate'>>(team, 'alerts:escalate', {
      ids: [own.id],
      title: 'Seen on the core',
    })
    await callOk(team, 'incidents:comment', { id: incident.id, body: 'Core analyst here.' })
    const db = new Database(join(root, 'core', 'outpost.sqlite'), { readonly: true })
    try {
      expect(db.prepare('SELECT count(*) FROM sync_outbox').pluck().get()).toBe(0)
      // The changes are still versioned (bundles and two-way sync read these).
      expect(
        db
          .prepare("SELECT version FROM sync_versions WHERE kind = 'incident' AND id = ?")
          .pluck()
          .get(incident.id),
      ).toBeGreaterThan(0)
    } finally {
      db.close()
    }
    expect((await callOk<CallRes<'sync:status'>>(team, 'sync:status', {})).queue_depth).toBe(0)
  }, 60_000)
})
