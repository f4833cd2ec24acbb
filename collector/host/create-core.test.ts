import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import type { EventPayload } from '../contract'
import { migrations } from '../store/sqlite/migrations'
import { createCore, type Core } from './create-core'
import { StartupError } from './errors'

const dirs: string[] = []
const cores: Core[] = []
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-core-'))
  dirs.push(dir)
  return dir
}
const start = async (dataDir: string): Promise<Core> => {
  const core = await createCore({ dataDir, ephemeralPorts: true })
  cores.push(core)
  return core
}
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.stop()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const post = (
  core: Core,
  body: string | Buffer,
  headers: Record<string, string> = {},
  path = '/v1/events',
): Promise<Response> =>
  fetch(`http://127.0.0.1:${core.listeners.http!.port}${path}`, { method: 'POST', body, headers })

describe('the core, in-process', () => {
  it('starts on a fresh data dir, answers calls, and stops cleanly', async () => {
    const dataDir = freshDir()
    const core = await start(dataDir)
    for (const file of ['config.yaml', 'outpost.sqlite', 'archive.duckdb', 'outpost.lock']) {
      expect(existsSync(join(dataDir, file)), file).toBe(true)
    }
    expect(core.listeners.http?.host).toBe('127.0.0.1')
    const health = await core.call('system:health', {})
    expect(health).toMatchObject({ ok: true, value: { status: 'ok' } })
    const info = await core.call('system:info', {})
    expect(info).toMatchObject({
      ok: true,
      value: {
        sqlite: { schema_version: migrations.at(-1)?.version, events: 0 },
        duckdb: { schema_version: 3 },
        // The Settings view's read-only summary, and no banner until the site sets one.
        ui: { banner: null },
        settings: {
          config_file: join(dataDir, 'config.yaml'),
          retention: { hot_days: 0, archive_max_age_days: 0, archive_max_bytes: 0 },
          tls: {
            syslog_tls: {
              enabled: false,
              cert_file: 'tls/collector.crt',
              key_file: 'tls/collector.key',
              ca_file: null,
            },
          },
        },
      },
    })

    await core.stop()
    await core.stop() // idempotent
    expect(existsSync(join(dataDir, 'outpost.lock'))).toBe(false)
    await expect(fetch(`http://127.0.0.1:${core.listeners.http!.port}/v1/events`)).rejects.toThrow()
    expect(await core.call('system:health', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } })
  })

  it('stores a POSTed batch before acknowledging it, pushes it, and keeps it across a restart', async () => {
    const dataDir = freshDir()
    const core = await start(dataDir)
    const pushed: Array<EventPayload<'events:appended'>> = []
    core.subscribe((name, payload) => {
      if (name === 'events:appended') pushed.push(payload as EventPayload<'events:appended'>)
    })
    const response = await post(core, JSON.stringify([{ message: 'a' }, { message: 'b' }, { message: 'c' }]))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ accepted: 3 })
    // Acknowledged means committed: a call right after the 200 sees all three.
    const listed = await core.call('events:list', { limit: 10 })
    expect(listed).toMatchObject({ ok: true, value: { total: 3 } })
    if (listed.ok)
      expect((listed.value as { events: Array<{ message: string }> }).events.map((e) => e.message)).toEqual([
        'c',
        'b',
        'a',
      ])
    expect(pushed.at(-1)?.total).toBe(3)
    expect(pushed.flatMap((p) => p.events.map((e) => e.message)).sort()).toEqual(['a', 'b', 'c'])

    await core.stop()
    const again = await start(dataDir)
    expect(await again.call('events:list', {})).toMatchObject({ ok: true, value: { total: 3 } })
  })

  it('pages with the before cursor and fetches one event whole', async () => {
    const core = await start(freshDir())
    await post(
      core,
      Array.from({ length: 25 }, (_, i) => JSON.stringify({ n: i, message: `m${i}` })).join('\n'),
    )
    const first = await core.call('events:list', { limit: 10 })
    if (!first.ok) throw new Error(first.error.message)
    const page1 = first.value as { events: Array<{ seq: number; id: string }> }
    const second = await core.call('events:list', { limit: 10, before: page1.events.at(-1)!.seq })
    if (!second.ok) throw new Error(second.error.message)
    const page2 = second.value as { events: Array<{ seq: number }> }
    expect(page2.events[0]!.seq).toBe(page1.events.at(-1)!.seq - 1)
    const one = await core.call('events:get', { id: page1.events[0]!.id })
    expect(one).toMatchObject({ ok: true, value: { event: { fields: { n: 24, message: 'm24' } } } })
    expect(await core.call('events:get', { id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
  })

  it('answers bad calls with a code, not an exception', async () => {
    const core = await start(freshDir())
    expect(await core.call('events:nope', {})).toMatchObject({ ok: false, error: { code: 'unknown_call' } })
    expect(await core.call('dialog:open', {})).toMatchObject({ ok: false, error: { code: 'unsupported' } })
    expect(await core.call('events:list', { limit: -1 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    })
  })

  it('refuses bad bodies with the reason, keeps the good part of a batch, and takes gzip', async () => {
    const core = await start(freshDir())
    const bad = await post(core, '{"message": oops}')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toMatch(/invalid JSON at line 1, column \d+/)

    const mixed = await post(core, '{"message":"good"}\nnot json\n{"message":"also good"}')
    expect(mixed.status).toBe(200)
    // What was refused is listed with its reason (the text itself goes to the dead letters, not back).
    expect(await mixed.json()).toEqual({
      accepted: 2,
      rejected: [
        { item: 2, line: 2, error: expect.stringMatching(/^invalid JSON at line 2, column 1/) as string },
      ],
    })

    const latin1 = await post(core, Buffer.from([0x7b, 0x22, 0x6d, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d])) // {"m":"\xe9"}
    expect(latin1.status).toBe(400)
    expect(((await latin1.json()) as { error: string }).error).toBe(
      'body is not valid UTF-8: byte 0xe9 at offset 6; send UTF-8 text',
    )
    const gz = await post(core, gzipSync(JSON.stringify({ message: 'zipped' })), {
      'content-encoding': 'gzip',
    })
    expect(gz.status).toBe(200)

    const huge = await post(core, gzipSync(Buffer.alloc(32 * 1024 * 1024, 0x20)), {
      'content-encoding': 'gzip',
    })
    expect(huge.status).toBe(413)
    expect((await post(core, '{}', { 'content-encoding': 'br' })).status).toBe(415)
    expect((await fetch(`http://127.0.0.1:${core.listeners.http!.port}/v1/events`)).status).toBe(405)
    expect((await post(core, '{}', {}, '/v1/nowhere')).status).toBe(404)
    expect(await core.call('events:list', {})).toMatchObject({ ok: true, value: { total: 3 } })
    const dead = await core.call('collector:dead-letters', {})
    if (!dead.ok) throw new Error(dead.error.message)
    const reasons = (dead.value as { dead_letters: Array<{ reason: string; payload_bytes: number }> })
      .dead_letters
    expect(reasons).toContainEqual(
      expect.objectContaining({
        reason: expect.stringMatching(/not valid UTF-8/) as string,
        payload_bytes: 9,
      }),
    )
  })

  it('refuses a second core on the same data dir, naming the owner', async () => {
    const dataDir = freshDir()
    await start(dataDir)
    await expect(createCore({ dataDir, ephemeralPorts: true })).rejects.toThrow(
      new RegExp(`in use by another Outpost process \\(pid ${process.pid}\\)`),
    )
  })

  it('takes over a lock left by a process that died', async () => {
    const dataDir = freshDir()
    writeFileSync(join(dataDir, 'outpost.lock'), '999999999')
    const core = await start(dataDir)
    expect(readFileSync(join(dataDir, 'outpost.lock'), 'utf8')).toBe(String(process.pid))
    expect(core.listeners.http).toBeDefined()
  })

  it('explains a bad config and releases everything it opened', async () => {
    const dataDir = freshDir()
    writeFileSync(join(dataDir, 'config.yaml'), 'listeners:\n  http:\n    port: -1\n')
    const attempt = createCore({ dataDir })
    await expect(attempt).rejects.toThrow(StartupError)
    await expect(attempt).rejects.toThrow(/config\.yaml: listeners\.http\.port/)
    expect(existsSync(join(dataDir, 'outpost.lock'))).toBe(false)
  })

  it('explains an occupied listener port and releases the stores', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    const dataDir = freshDir()
    writeFileSync(join(dataDir, 'config.yaml'), `listeners:\n  http:\n    port: ${port}\n`)
    try {
      await expect(createCore({ dataDir })).rejects.toThrow(
        new RegExp(`listener http cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`),
      )
      // Everything was closed on the way out: the data dir opens again at once.
      writeFileSync(join(dataDir, 'config.yaml'), '')
      await start(dataDir)
    } finally {
      blocker.close()
    }
  })

  it('refuses a data dir that is a file', async () => {
    const file = join(freshDir(), 'not-a-dir')
    writeFileSync(file, '')
    await expect(createCore({ dataDir: join(file, 'data') })).rejects.toThrow(
      /cannot create data dir .*a file is in the way/,
    )
  })

  it('fails fast, not forever, where mkdir cannot work (under /proc)', async () => {
    await expect(createCore({ dataDir: '/proc/outpost-test/data' })).rejects.toThrow(
      /cannot create data dir \/proc\/outpost-test\/data/,
    )
  })

  it('stores a retried batch (same Idempotency-Key) and a repeated event.id once', async () => {
    const core = await start(freshDir())
    const body = '{"message":"idem a"}\n{"message":"idem b"}'
    const headers = { 'idempotency-key': 'batch-0001' }
    expect(await (await post(core, body, headers)).json()).toEqual({ accepted: 2 })
    expect(await (await post(core, body, headers)).json()).toEqual({ accepted: 2, duplicate: true })
    expect(await core.call('events:list', {})).toMatchObject({ ok: true, value: { total: 2 } })

    const withId = JSON.stringify({ message: 'idem c', event: { id: 'evt-42' } })
    await post(core, withId)
    await post(core, `${withId}\n${withId}`)
    expect(await core.call('events:list', {})).toMatchObject({ ok: true, value: { total: 3 } })
  })

  it('keeps artifacts apart from events, and tracks heartbeats until a source goes silent', async () => {
    const core = await start(freshDir())
    const artifact = {
      'file.hash.sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      message: 'quarantined',
    }
    expect((await post(core, JSON.stringify(artifact), {}, '/v1/artifacts')).status).toBe(200)
    await post(core, '{"message":"plain event"}')
    const list = await core.call('events:list', {})
    if (!list.ok) throw new Error(list.error.message)
    const kinds = Object.fromEntries(
      (list.value as { events: Array<{ message: string; kind: string }> }).events.map((e) => [
        e.message,
        e.kind,
      ]),
    )
    expect(kinds).toEqual({ quarantined: 'artifact', 'plain event': 'event' })

    const beat = await post(
      core,
      JSON.stringify({ source: 'fw01-fluentbit', host: 'fw01', interval_s: 30, version: '3.1' }),
      {},
      '/v1/heartbeat',
    )
    expect(beat.status).toBe(200)
    expect(await beat.json()).toMatchObject({ ok: true, expect_next_before: expect.any(String) as string })
    expect(await core.call('collector:heartbeats', {})).toMatchObject({
      ok: true,
      value: {
        sources: [
          {
            source: 'fw01-fluentbit',
            host: 'fw01',
            interval_s: 30,
            silent: false,
            details: { version: '3.1' },
          },
        ],
      },
    })
    const bad = await post(core, JSON.stringify({ interval_s: 0 }), {}, '/v1/heartbeat')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toMatch(/^heartbeat: source: .*interval_s: /)
  })
})
