import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../../contract'
import { SyncConsoles } from '../../sync/core/consoles'
import { createCore, type Core } from '../create-core'
import { OUTPOST_BIN } from '../serve-process'
import { callOk, raiseAlert } from '../test-core'

// The built CLI (`npx electron-vite build`) as a real process.
const outpost = (...args: string[]) =>
  spawnSync(process.execPath, [OUTPOST_BIN, ...args], { encoding: 'utf8' })

type Detail = CallRes<'incidents:get'>

/** The incident as the core stores it for sync. */
const stored = (dataDir: string, id: string) => {
  const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
  try {
    return db
      .prepare("SELECT version, origin, body FROM sync_records WHERE kind = 'incident' AND id = ?")
      .get(id) as { version: number; origin: string; body: string }
  } finally {
    db.close()
  }
}

// An incident a console pushed to its team core, then edited on both sides: the console's edit
// arrives in a bundle imported with the CLI into the core's data dir (the core stopped).
describe('outpost bundle import on a core data dir', () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-bundle-core-cli-'))
  const coreDir = join(root, 'core')
  const consoleDir = join(root, 'console')
  const cores: Core[] = []
  let server: Server | undefined
  afterAll(async () => {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()))
    await Promise.all(cores.map((c) => c.stop()))
    rmSync(root, { recursive: true, force: true })
  })

  it('merges through the core, as the running core would; refused while the core runs', async () => {
    let team = await createCore({ dataDir: coreDir, ephemeralPorts: true, role: 'core' })
    cores.push(team)
    const analyst = await createCore({ dataDir: consoleDir, ephemeralPorts: true })
    cores.push(analyst)
    server = createServer((req, res) => {
      void team.syncApi!.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'))
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    const db = new Database(join(coreDir, 'outpost.sqlite'))
    db.pragma('busy_timeout = 5000')
    const { token } = new SyncConsoles(db).add('ws-field', 'analyst')
    db.close()
    const own = await callOk<CallRes<'keys:show'>>(analyst, 'keys:show', {})
    await callOk(team, 'keys:trust', { name: 'field', public_key: own.public_key, scope: 'records' })

    // Pushed online once; then the console goes offline.
    const alert = await raiseAlert(analyst, 'ws-9')
    const { incident } = await callOk<CallRes<'alerts:escalate'>>(analyst, 'alerts:escalate', {
      ids: [alert.id],
      title: 'Beacon from ws-9',
    })
    const id = incident.id
    await callOk(analyst, 'sync:connect', {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token,
    })
    await callOk(analyst, 'sync:push-now', {})
    await callOk(analyst, 'sync:disconnect', {})
    expect((await callOk<Detail>(team, 'incidents:get', { id })).incident.title).toBe('Beacon from ws-9')

    // Both sides edit it meanwhile: different fields, and a comment each.
    await callOk(team, 'incidents:update', { id, assignee: 'core-lead' })
    await callOk(team, 'incidents:comment', { id, body: 'Core: blocked at the proxy.' })
    await callOk(analyst, 'incidents:update', { id, description: 'Two hosts beacon every 60 s.' })
    await callOk(analyst, 'incidents:comment', { id, body: 'Field: second host found.' })
    const out = join(root, 'field.bundle')
    await callOk(analyst, 'bundles:export', { out, outbox: true })

    // While the core serves the data dir the CLI refuses, naming the running core's way.
    const refused = outpost('bundle', 'import', out, '--data-dir', coreDir)
    expect(refused.status).toBe(1)
    expect(refused.stderr).toMatch(
      /bundle import on a core's data dir goes through the core's merge, which needs the data dir to itself: data dir .* is in use by another Outpost process \(pid \d+\)\. Do it through the running core/,
    )
    expect(stored(coreDir, id).body).not.toContain('Two hosts')

    await team.stop()
    // The same import through a running core, on a copy of the data dir, for comparison.
    const copyDir = join(root, 'core-copy')
    cpSync(coreDir, copyDir, { recursive: true })
    const imported = outpost('bundle', 'import', out, '--data-dir', coreDir, '--json')
    expect(imported.status, imported.stderr).toBe(0)
    expect((JSON.parse(imported.stdout) as { applied: number }).applied).toBeGreaterThan(0)
    const viaCore = await createCore({ dataDir: copyDir, ephemeralPorts: true, role: 'core' })
    cores.push(viaCore)
    await callOk(viaCore, 'bundles:import', { path: out })

    team = await createCore({ dataDir: coreDir, ephemeralPorts: true, role: 'core' })
    cores.push(team)
    const merged = await callOk<Detail>(team, 'incidents:get', { id })
    // Merged, not overwritten: the core's assignee and comment stay beside the console's edit.
    expect(merged.incident).toMatchObject({
      assignee: 'core-lead',
      description: 'Two hosts beacon every 60 s.',
    })
    expect(merged.comments.map((c) => c.body).sort()).toEqual([
      'Core: blocked at the proxy.',
      'Field: second host found.',
    ])
    const record = stored(coreDir, id)
    expect(record.body).toContain('core-lead')
    expect(record.body).toContain('Two hosts')

    // Identical to the running core's import.
    const reference = await callOk<Detail>(viaCore, 'incidents:get', { id })
    expect(merged.incident).toEqual(reference.incident)
    expect(merged.comments.map((c) => c.body).sort()).toEqual(reference.comments.map((c) => c.body).sort())
    expect({ ...record, body: JSON.parse(record.body) as unknown }).toEqual({
      ...stored(copyDir, id),
      body: JSON.parse(stored(copyDir, id).body) as unknown,
    })
  }, 120_000)
})
