import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes, SyncStatus } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { OUTPOST_BIN, spawnServe, type ServeProcess } from '../host/serve-process'
import { callOk, raiseAlert } from '../host/test-core'
import type { SyncRecord } from './records'

// The acceptance of the connector, on loopback: a real `outpost serve --role core` (the built CLI)
// and a console core in this process.
const dirs: string[] = []
const tempDir = (name: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `outpost-sync-${name}-`))
  dirs.push(dir)
  return dir
}
const running: ServeProcess[] = []
const consoles: Core[] = []
afterAll(async () => {
  await Promise.all(consoles.map((c) => c.stop()))
  await Promise.all(running.map((p) => p.stop('SIGKILL')))
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const cli = (...args: string[]): string =>
  execFileSync(process.execPath, [OUTPOST_BIN, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })

const addConsole = (dataDir: string, name: string, role: string): string =>
  (
    JSON.parse(cli('sync', 'consoles', 'add', name, '--role', role, '--data-dir', dataDir, '--json')) as {
      token: string
    }
  ).token

const sync = (api: string, token: string, method: string, path: string, body?: unknown) =>
  fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })

const pullAll = async (api: string, token: string, kinds: string): Promise<SyncRecord[]> => {
  const out: SyncRecord[] = []
  let cursor = 0
  for (;;) {
    const res = await sync(api, token, 'GET', `/sync/v1/pull?cursor=${cursor}&kinds=${kinds}&limit=1000`)
    const { value } = (await res.json()) as {
      value: { records: Array<{ seq: number; record: SyncRecord }>; next: number }
    }
    if (value.records.length === 0) return out
    out.push(...value.records.map((r) => r.record))
    cursor = value.next
  }
}

/**
 * The TCP connections a process opened to elsewhere: its sockets (from /proc/PID/fd) that are
 * connecting or connected from a port it does not listen on (accepted connections use the
 * listening port). Linux only.
 */
const outboundConnections = (pid: number): string[] => {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]
        } catch {
          return undefined
        }
      })
      .filter((inode): inode is string => inode !== undefined),
  )
  const rows = ['tcp', 'tcp6'].flatMap((file) =>
    readFileSync(`/proc/${pid}/net/${file}`, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols.length > 9 && inodes.has(cols[9]!)),
  )
  const port = (address: string): string => address.split(':').at(-1)!
  const listening = new Set(rows.filter((cols) => cols[3] === '0A').map((cols) => port(cols[1]!)))
  // 01 ESTABLISHED, 02 SYN_SENT: a connection this process made, unless it is on a listening port.
  return rows
    .filter((cols) => (cols[3] === '01' || cols[3] === '02') && !listening.has(port(cols[1]!)))
    .map((cols) => `${cols[1]} -> ${cols[2]}`)
}

/** The failure a call returned (its code and message), or a thrown error when it succeeded. */
const failureOf = async (pending: Promise<{ ok: boolean; error?: { code: string; message: string } }>) => {
  const result = await pending
  if (result.ok || !result.error) throw new Error('expected the call to fail')
  return result.error
}

/** The core's own console API (its api-token), e.g. to edit an operation there. */
const coreCall = async <T>(core: ServeProcess, name: string, req: unknown): Promise<T> => {
  const res = await fetch(`${core.ready.api}/api/${name.replace(':', '/')}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${core.ready.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(req),
  })
  const body = (await res.json()) as { ok: boolean; value: T; error?: { message: string } }
  if (!body.ok) throw new Error(body.error?.message)
  return body.value
}

describe('a console with no connector configured', () => {
  it('opens no outbound connection at all', async () => {
    const attempts: unknown[] = []
    const original = Object.getOwnPropertyDescriptor(Socket.prototype, 'connect')!
    const connect = original.value as (...args: unknown[]) => Socket
    // Every TCP client connection in this process goes through here (fetch, http, net).
    Object.defineProperty(Socket.prototype, 'connect', {
      ...original,
      value: function (this: Socket, ...args: unknown[]) {
        attempts.push(args[0])
        return connect.apply(this, args)
      },
    })
    try {
      const console = await createCore({ dataDir: tempDir('offline'), ephemeralPorts: true })
      await callOk(console, 'reports:create', { title: 'Offline work' })
      await callOk(console, 'operations:create', { name: 'Op offline' })
      await new Promise((r) => setTimeout(r, 500))
      const status = await callOk<SyncStatus>(console, 'sync:status', {})
      expect(status.configured).toBe(false)
      // The changes are queued for whenever a connector is configured.
      expect(status.queue_depth).toBeGreaterThanOrEqual(3)
      expect((await failureOf(console.call('sync:push-now', {}))).message).toMatch(/no core configured/)
      await console.stop()
      expect(attempts).toEqual([])
      // The interception itself works: a connection attempt is seen.
      await fetch('http://127.0.0.1:65001/').catch(() => undefined)
      expect(attempts).toHaveLength(1)
    } finally {
      Object.defineProperty(Socket.prototype, 'connect', original)
    }
  })
})

describe('a console and a real outpost serve --role core on loopback', () => {
  let core: ServeProcess
  let coreDir: string
  let console: Core
  let analyst: string
  let admin: string
  let viewer: string

  beforeAll(async () => {
    coreDir = tempDir('core')
    analyst = addConsole(coreDir, 'alpha', 'analyst')
    admin = addConsole(coreDir, 'boss', 'admin')
    viewer = addConsole(coreDir, 'watcher', 'viewer')
    core = await spawnServe(['--data-dir', coreDir, '--port', '0', '--role', 'core'])
    running.push(core)
    // Syncs only when a test says so: its loop could push an edit before the core's concurrent one.
    console = await createCore({ dataDir: tempDir('console'), ephemeralPorts: true, syncLoop: false })
    consoles.push(console)
  }, 60_000)

  it('says it is a core, and refuses a bad URL or token when connecting, beside the field', async () => {
    const info = await coreCall<CallRes<'system:info'>>(core, 'system:info', {})
    expect(info.role).toBe('core')
    const badUrl = await failureOf(console.call('sync:connect', { url: 'ftp://x', token: analyst }))
    expect(badUrl.code).toBe('invalid_request')
    expect(badUrl.message).toMatch(/url: use an http/)
    const badToken = await failureOf(
      console.call('sync:connect', { url: core.ready.api, token: 'osync_wrong-token' }),
    )
    expect(badToken.message).toMatch(/401.*missing, wrong or revoked console token/)
    const status = await callOk<SyncStatus>(console, 'sync:connect', { url: core.ready.api, token: analyst })
    expect(status).toMatchObject({ configured: true, console_id: 'alpha', role_on_core: 'analyst' })
  })

  it('the core, with no connector of its own, has opened no outbound connection', async () => {
    // Requests come in meanwhile (this test's), on the listening port: those do not count.
    expect((await sync(core.ready.api, viewer, 'GET', '/sync/v1/hello')).status).toBe(200)
    await new Promise((r) => setTimeout(r, 300))
    expect(outboundConnections(core.child.pid!)).toEqual([])
    // The check sees a real one: this process's kept-alive connection to the core's port.
    const corePort = Number(new URL(core.ready.api).port).toString(16).toUpperCase().padStart(4, '0')
    expect(outboundConnections(process.pid).some((c) => c.endsWith(`:${corePort}`))).toBe(true)
    expect((await coreCall<SyncStatus>(core, 'sync:status', {})).configured).toBe(false)
  })

  it('enforces roles on the server: a viewer cannot push, an analyst cannot publish', async () => {
    const record = {
      kind: 'report',
      id: 'r',
      version: 1,
      updated_at: new Date().toISOString(),
      origin: 'x',
      deleted: false,
      body: {},
    }
    const pushed = await sync(core.ready.api, viewer, 'POST', '/sync/v1/push', {
      records: [{ key: 'k', record }],
    })
    expect(pushed.status).toBe(403)
    expect(((await pushed.json()) as { error: { message: string } }).error.message).toMatch(
      /console "watcher" has role viewer; POST \/sync\/v1\/push needs analyst/,
    )
    expect((await sync(core.ready.api, viewer, 'GET', '/sync/v1/pull')).status).toBe(200)
    const published = await sync(core.ready.api, analyst, 'POST', '/sync/v1/publish', { records: [record] })
    expect(published.status).toBe(403)
    expect((await sync(core.ready.api, 'nope', 'GET', '/sync/v1/hello')).status).toBe(401)
    // The core's own api-token is not a console token.
    expect((await sync(core.ready.api, core.ready.token, 'GET', '/sync/v1/hello')).status).toBe(401)
    const bad = await sync(core.ready.api, analyst, 'POST', '/sync/v1/push', {
      records: [{ key: 'k', record: { ...record, version: 0 } }],
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /records\[0\]\.record: version must be an integer >= 1/,
    )
  })

  it('stores evidence only when the bytes match their SHA-256', async () => {
    const bytes = Buffer.from('pcap bytes')
    const sha = createHash('sha256').update(bytes).digest('hex')
    const wrong = await fetch(`${core.ready.api}/sync/v1/evidence/${'0'.repeat(64)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${analyst}` },
      body: bytes,
    })
    expect(wrong.status).toBe(400)
    expect((await sync(core.ready.api, analyst, 'GET', `/sync/v1/evidence/${'0'.repeat(64)}`)).status).toBe(
      404,
    )
    const put = await fetch(`${core.ready.api}/sync/v1/evidence/${sha}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${analyst}` },
      body: bytes,
    })
    expect(put.status).toBe(200)
    const got = await sync(core.ready.api, analyst, 'GET', `/sync/v1/evidence/${sha}`)
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true)
  })

  it('round trip: pushes reports and their audit entries, pulls an operation the core made', async () => {
    const { report } = await callOk<CallRes<'reports:create'>>(console, 'reports:create', {
      title: 'Beacon on ws-9',
    })
    const pushed = await callOk<CallRes<'sync:push-now'>>(console, 'sync:push-now', {})
    expect(pushed.status.queue_depth).toBe(0)
    expect(pushed.status.last_success).not.toBeNull()
    const reports = await pullAll(core.ready.api, admin, 'report')
    expect(reports.find((r) => r.id === report.id)).toMatchObject({
      version: 1,
      body: { title: 'Beacon on ws-9' },
    })
    const audit = await pullAll(core.ready.api, admin, 'audit')
    expect(audit.some((r) => r.body.object_id === report.id && r.body.action === 'create')).toBe(true)

    const { operation } = await coreCall<CallRes<'operations:create'>>(core, 'operations:create', {
      name: 'Op Nightjar',
      objective: 'Contain the beacon',
    })
    // The connector's loop (woken by reports:create) may pull the operation first, under load:
    // Pull now then waits for that pull and brings 0. Either way the operation is here after it.
    await callOk<CallRes<'sync:pull-now'>>(console, 'sync:pull-now', {})
    const { operations } = await callOk<CallRes<'operations:list'>>(console, 'operations:list', {})
    expect(operations.find((o) => o.id === operation.id)).toMatchObject({ name: 'Op Nightjar' })
    // A second pull from the stored cursor brings nothing again.
    expect((await callOk<CallRes<'sync:pull-now'>>(console, 'sync:pull-now', {})).pulled).toBe(0)
  })

  it('pushes an alert the detector raised and an incident with its evidence metadata, then the file', async () => {
    const alert = await raiseAlert(console, 'ws-sync')
    const { incident } = await callOk<CallRes<'alerts:escalate'>>(console, 'alerts:escalate', {
      ids: [alert.id],
      title: 'Beacon on ws-sync',
    })
    const file = join(tempDir('evidence'), 'beacon.pcap')
    const bytes = Buffer.from('a capture of the beacon')
    writeFileSync(file, bytes)
    await callOk(console, 'incidents:attach', { id: incident.id, path: file })
    await callOk(console, 'sync:push-now', {})
    const [alertRecord] = (await pullAll(core.ready.api, admin, 'alert')).filter((r) => r.id === alert.id)
    expect(alertRecord?.body).toMatchObject({ host: 'ws-sync', incident_id: incident.id })
    const [incidentRecord] = (await pullAll(core.ready.api, admin, 'incident')).filter(
      (r) => r.id === incident.id,
    )
    const sha = createHash('sha256').update(bytes).digest('hex')
    expect(incidentRecord?.body.evidence).toEqual([
      expect.objectContaining({ sha256: sha, name: 'beacon.pcap' }),
    ])
    const got = await sync(core.ready.api, analyst, 'GET', `/sync/v1/evidence/${sha}`)
    expect(got.status).toBe(200)
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true)
  })

  it('records a conflict (both sides changed the operation) and resolves it keeping the local version', async () => {
    const { operation } = await coreCall<CallRes<'operations:create'>>(core, 'operations:create', {
      name: 'Op Heron',
    })
    await callOk(console, 'sync:pull-now', {})
    await callOk(console, 'operations:update', { id: operation.id, name: 'Op Heron (console)' })
    await new Promise((r) => setTimeout(r, 20))
    await coreCall(core, 'operations:update', { id: operation.id, name: 'Op Heron (core)' })
    const pulled = await callOk<CallRes<'sync:pull-now'>>(console, 'sync:pull-now', {})
    expect(pulled.conflicts).toBe(1)
    const { conflicts } = await callOk<CallRes<'sync:conflicts'>>(console, 'sync:conflicts', {})
    const conflict = conflicts.find((c) => c.object_id === operation.id)!
    // Same version on both sides: the later change (the core's) wins, deterministically.
    expect(conflict).toMatchObject({ kind: 'operation', winner: 'remote', resolved_at: null })
    expect(conflict.local.body.name).toBe('Op Heron (console)')
    expect(conflict.remote.body.name).toBe('Op Heron (core)')
    const shown = await callOk<CallRes<'operations:list'>>(console, 'operations:list', {})
    expect(shown.operations.find((o) => o.id === operation.id)?.name).toBe('Op Heron (core)')
    expect((await callOk<SyncStatus>(console, 'sync:status', {})).conflicts).toBe(1)

    const { conflict: resolved } = await callOk<CallRes<'sync:resolve'>>(console, 'sync:resolve', {
      id: conflict.id,
      choose: 'local',
    })
    expect(resolved).toMatchObject({ resolution: 'local' })
    expect(resolved.resolved_at).not.toBeNull()
    const after = await callOk<CallRes<'operations:list'>>(console, 'operations:list', {})
    expect(after.operations.find((o) => o.id === operation.id)?.name).toBe('Op Heron (console)')
    expect((await callOk<SyncStatus>(console, 'sync:status', {})).conflicts).toBe(0)
    const again = await failureOf(console.call('sync:resolve', { id: conflict.id, choose: 'remote' }))
    expect(again.code).toBe('conflict')
    expect(again.message).toMatch(/resolved already/)
  })

  it("a push the core settles for another console's version is logged; Keep local pushes it above", async () => {
    const { report } = await callOk<CallRes<'reports:create'>>(console, 'reports:create', {
      title: 'Shared sitrep',
    })
    await callOk(console, 'sync:push-now', {})
    // Another console got there first with version 2 of the same report.
    const theirs = {
      kind: 'report',
      id: report.id,
      version: 2,
      updated_at: '2099-01-01T00:00:00.000Z',
      origin: 'outpost-console-b',
      deleted: false,
      body: { ...report, title: 'Sitrep (console B)' },
    }
    const other = await sync(core.ready.api, analyst, 'POST', '/sync/v1/push', {
      records: [{ key: 'outpost-console-b:1', record: theirs }],
    })
    expect(other.status).toBe(200)
    await callOk(console, 'reports:update', {
      id: report.id,
      version: report.version,
      title: 'Sitrep (console A)',
    })
    const pushed = await callOk<CallRes<'sync:push-now'>>(console, 'sync:push-now', {})
    expect(pushed.conflicts).toBe(1)
    const { conflicts } = await callOk<CallRes<'sync:conflicts'>>(console, 'sync:conflicts', {})
    const conflict = conflicts.find((c) => c.object_id === report.id)!
    expect(conflict).toMatchObject({ kind: 'report', winner: 'remote' })
    expect(conflict.local.body.title).toBe('Sitrep (console A)')
    expect(conflict.remote.body.title).toBe('Sitrep (console B)')
    let stored = (await pullAll(core.ready.api, admin, 'report')).find((r) => r.id === report.id)
    expect(stored?.body.title).toBe('Sitrep (console B)')

    await callOk(console, 'sync:resolve', { id: conflict.id, choose: 'local' })
    const after = await callOk<CallRes<'sync:push-now'>>(console, 'sync:push-now', {})
    expect(after.conflicts).toBe(0)
    stored = (await pullAll(core.ready.api, admin, 'report')).find((r) => r.id === report.id)
    expect(stored).toMatchObject({ version: 3, body: { title: 'Sitrep (console A)' } })
  })

  it('loses nothing and duplicates nothing when the core is killed mid-push and restarted', async () => {
    const N = 150
    const made: string[] = []
    for (let i = 0; i < N; i++) {
      const { report } = await callOk<CallRes<'reports:create'>>(console, 'reports:create', {
        title: `Kill test ${i}`,
      })
      made.push(report.id)
    }
    const queued = (await callOk<SyncStatus>(console, 'sync:status', {})).queue_depth
    expect(queued).toBeGreaterThanOrEqual(2 * N)
    // Push, and pull the plug as soon as the core has stored some of it.
    const pushing = console.call('sync:push-now', {})
    for (;;) {
      const depth = (await callOk<SyncStatus>(console, 'sync:status', {})).queue_depth
      if (depth < queued) break
      await new Promise((r) => setTimeout(r, 2))
    }
    core.child.kill('SIGKILL')
    await core.stop()
    const interrupted = await pushing
    const left = (await callOk<SyncStatus>(console, 'sync:status', {})).queue_depth
    expect(left).toBeGreaterThan(0)
    expect(left).toBeLessThan(queued)
    if (!interrupted.ok) expect(interrupted.error.code).toBe('unavailable')
    const failedStatus = await callOk<SyncStatus>(console, 'sync:status', {})
    expect(failedStatus.last_error).not.toBeNull()

    // The same data dir again (a new port: connect again; the outbox and its keys are unchanged).
    core = await spawnServe(['--data-dir', coreDir, '--port', '0', '--role', 'core'])
    running.push(core)
    await callOk(console, 'sync:connect', { url: core.ready.api, token: analyst })
    const resumed = await callOk<CallRes<'sync:push-now'>>(console, 'sync:push-now', {})
    expect(resumed.status.queue_depth).toBe(0)
    expect(resumed.status.last_error).toBeNull()

    const reports = await pullAll(core.ready.api, admin, 'report')
    const kill = reports.filter((r) => String(r.body.title).startsWith('Kill test '))
    expect(kill.map((r) => r.id).sort()).toEqual([...made].sort())
    expect(kill.every((r) => r.version === 1)).toBe(true)
    const audit = await pullAll(core.ready.api, admin, 'audit')
    const creates = audit.filter((r) => made.includes(String(r.body.object_id)))
    expect(creates).toHaveLength(N)
    expect(new Set(creates.map((r) => r.id)).size).toBe(N)
  }, 60_000)
})
