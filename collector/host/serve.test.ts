import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { OUTPOST_BIN, spawnServe, type ServeProcess } from './serve-process'

// These run the built CLI (`npm run build`) as a real process: what `npx outpost serve` runs.
const dirs: string[] = []
const running: ServeProcess[] = []
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-serve-'))
  dirs.push(dir)
  return dir
}
const serve = async (dataDir = freshDir(), extra: string[] = []): Promise<ServeProcess> => {
  const p = await spawnServe(['--data-dir', dataDir, '--port', '0', ...extra])
  running.push(p)
  return p
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const outpost = (args: string[]) =>
  spawnSync(process.execPath, [OUTPOST_BIN, ...args], { encoding: 'utf8', timeout: 15_000 })

describe('outpost serve', () => {
  it('prints exactly one OUTPOST_READY line, guards the API with the token, and exits 0 on SIGTERM', async () => {
    const dataDir = freshDir()
    const p = await serve(dataDir)
    const { ready } = p
    expect(ready.url).toBe(`${ready.api}/?token=${ready.token}`)
    expect(ready.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(Object.keys(ready.listeners).sort()).toEqual([
      'elastic',
      'forward',
      'gelf_tcp',
      'gelf_udp',
      'hec',
      'http',
      'otlp',
      'syslog_tcp',
      'syslog_udp',
    ])
    expect(ready.listeners.http).toBeGreaterThan(0)

    // The token is random, kept 0600 in the data dir.
    expect(readFileSync(join(dataDir, 'api-token'), 'utf8').trim()).toBe(ready.token)
    expect(statSync(join(dataDir, 'api-token')).mode & 0o777).toBe(0o600)

    const noToken = await fetch(`${ready.api}/api/health`)
    expect(noToken.status).toBe(401)
    expect(noToken.headers.get('content-type')).toBe('application/json')
    expect(await noToken.json()).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    expect(
      (await fetch(`${ready.api}/api/health`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401)
    const withToken = await fetch(`${ready.api}/api/health`, {
      headers: { authorization: `Bearer ${ready.token}` },
    })
    expect(withToken.status).toBe(200)
    expect(await withToken.json()).toMatchObject({ ok: true, value: { status: 'ok' } })

    let stdout = ''
    p.child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()))
    expect(await p.stop('SIGTERM')).toBe(0)
    expect(stdout).not.toContain('OUTPOST_READY') // one line only, already read
    expect(p.stderr()).toMatch(/stopping signal=SIGTERM/)
    expect(p.stderr()).toMatch(/core stopped/)
  })

  it('maps calls to POST /api/domain/verb with results and HTTP statuses', async () => {
    const { ready } = await serve()
    const call = (path: string, body: unknown, method = 'POST') =>
      fetch(ready.api + path, {
        method,
        headers: { authorization: `Bearer ${ready.token}`, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
      })
    await fetch(`http://127.0.0.1:${ready.listeners.http}/v1/events`, {
      method: 'POST',
      body: '{"message":"one"}',
    })
    const list = await call('/api/events/list', { limit: 1 })
    expect(list.status).toBe(200)
    expect(await list.json()).toMatchObject({ ok: true, value: { total: 1, events: [{ message: 'one' }] } })
    expect((await call('/api/events/list', { limit: 'x' })).status).toBe(400)
    expect((await call('/api/events/get', { id: 'missing' })).status).toBe(404)
    expect((await call('/api/nope/nope', {})).status).toBe(404)
    expect((await call('/api/dialog/open', {})).status).toBe(501)
    expect((await call('/api/events/list', {}, 'GET')).status).toBe(405)
    const notJson = await fetch(ready.api + '/api/events/list', {
      method: 'POST',
      headers: { authorization: `Bearer ${ready.token}` },
      body: '{',
    })
    expect(notJson.status).toBe(400)
    expect(await notJson.json()).toMatchObject({
      error: { message: expect.stringContaining('not JSON') as string },
    })
  })

  it('trades ?token= for a cookie on first load and refuses foreign hosts and origins', async () => {
    const { ready } = await serve()
    const first = await fetch(ready.url, { redirect: 'manual' })
    expect(first.status).toBe(302)
    expect(first.headers.get('location')).toBe('/')
    const cookie = first.headers.get('set-cookie')!
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    const page = await fetch(ready.api + '/', { headers: { cookie: cookie.split(';')[0]! } })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await page.text()).toContain('<div id="root">')
    expect((await fetch(ready.api + '/')).status).toBe(401)

    const auth = { authorization: `Bearer ${ready.token}` }
    // fetch cannot forge Host, so ask with node:http as a DNS-rebinding page's browser would.
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${ready.api}/api/health`,
        { headers: { ...auth, host: 'evil.example' } },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', reject)
      req.end()
    })
    expect(rebound).toBe(421)
    const crossSite = await fetch(`${ready.api}/api/events/list`, {
      method: 'POST',
      headers: { ...auth, origin: 'https://evil.example' },
      body: '{}',
    })
    expect(crossSite.status).toBe(403)
  })

  it('pushes events on the WebSocket only to holders of the token', async () => {
    const { ready } = await serve()
    const wsUrl = ready.api.replace('http', 'ws') + '/api/ws'
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl)
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('open', () => resolve(101))
    })
    expect(refused).toBe(401)

    const ws = new WebSocket(`${wsUrl}?token=${ready.token}`)
    await new Promise((resolve) => ws.once('open', resolve))
    const message = new Promise<string>((resolve) =>
      ws.once('message', (data: Buffer) => resolve(data.toString())),
    )
    await fetch(`http://127.0.0.1:${ready.listeners.http}/v1/events`, {
      method: 'POST',
      body: '{"message":"pushed"}',
    })
    expect(JSON.parse(await message)).toMatchObject({
      event: 'events:appended',
      payload: { total: 1, events: [{ message: 'pushed' }] },
    })
    ws.close()
  })

  it('keeps what it acknowledged across SIGINT and a restart on the same data dir', async () => {
    const dataDir = freshDir()
    const first = await serve(dataDir)
    const body = Array.from({ length: 500 }, (_, i) => JSON.stringify({ i })).join('\n')
    expect(
      (await fetch(`http://127.0.0.1:${first.ready.listeners.http}/v1/events`, { method: 'POST', body }))
        .status,
    ).toBe(200)
    expect(await first.stop('SIGINT')).toBe(0)
    const second = await serve(dataDir)
    expect(second.ready.token).toBe(first.ready.token) // the token survives restarts
    const list = await fetch(`${second.ready.api}/api/events/list`, {
      method: 'POST',
      headers: { authorization: `Bearer ${second.ready.token}` },
      body: '{}',
    })
    expect(await list.json()).toMatchObject({ ok: true, value: { total: 500 } })
  })
})

describe('outpost serve refuses to start, with one clear line', () => {
  it.each([
    [
      'a bad config',
      (dir: string) => writeFileSync(join(dir, 'config.yaml'), 'api:\n  port: nope\n'),
      /^outpost: error: .*config\.yaml: api\.port: /,
    ],
    [
      'a data dir that is a file',
      (dir: string) => writeFileSync(join(dir, 'file'), ''),
      /^outpost: error: cannot create data dir .*file\/sub: a file is in the way; pass --data-dir/,
    ],
  ])('%s', (_name, arrange, message) => {
    const dir = freshDir()
    arrange(dir)
    const dataDir = _name === 'a data dir that is a file' ? join(dir, 'file', 'sub') : dir
    const result = outpost(['serve', '--data-dir', dataDir, '--port', '0'])
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(message)
    expect(result.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })

  it('an occupied port', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      const result = outpost(['serve', '--data-dir', freshDir(), '--port', String(port)])
      expect(result.status).toBe(1)
      // The core's own start-up log may come first; the cause is the last line.
      expect(result.stderr.trim().split('\n').at(-1)).toMatch(
        new RegExp(
          `^outpost: error: cannot serve on 127\\.0\\.0\\.1:${port}: address already in use; pass --port`,
        ),
      )
    } finally {
      blocker.close()
    }
  })

  it('a data dir another Outpost is using', async () => {
    const dataDir = freshDir()
    const p = await serve(dataDir)
    const result = outpost(['serve', '--data-dir', dataDir, '--port', '0'])
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(new RegExp(`in use by another Outpost process \\(pid ${p.child.pid}\\)`))
  })

  it.each([
    [['serve', '--port', 'abc'], /--port must be a whole number/],
    [['serve', '--bogus'], /Unknown option '--bogus'.*outpost serve --help/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('usage errors exit 2: %j', (args, message) => {
    const result = outpost(args)
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(message)
  })
})

describe('outpost --help', () => {
  it.each([[['--help']], [['help']], [['serve', '--help']], [['version', '--help']]])(
    '%j prints usage and exits 0',
    (args) => {
      const result = outpost(args)
      expect(result.status).toBe(0)
      expect(result.stdout).toMatch(/Usage: outpost/)
      if (args[0] !== 'version') expect(result.stdout).toMatch(/--data-dir/)
    },
  )

  it('version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    expect(outpost(['version']).stdout.trim()).toBe(pkg.version)
  })
})

describe('outpost parse', () => {
  it('prints one JSON object per input line, failures included', () => {
    const input = [
      '<13>1 2026-11-22T10:00:00Z host app 1 - - hello',
      '<13>Nov 22 10:00:00 host app[1]: hello',
      'CEF:0|V|P|1|42|Name|5|src=10.0.0.1',
      '<13>1 2026-13-01T00:00:00Z host app - - - bad month',
      '', // an empty line is a line: it gets its answer too
      'last=1 line=2',
    ].join('\n')
    const result = spawnSync(process.execPath, [OUTPOST_BIN, 'parse'], {
      input,
      encoding: 'utf8',
      timeout: 15_000,
    })
    expect(result.status).toBe(0)
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.map((l) => l.format ?? l.ok)).toEqual(['rfc5424', 'rfc3164', 'cef', false, false, 'kv'])
    expect(lines[0]).toEqual({
      ok: true,
      format: 'rfc5424',
      priority: 13,
      facility: 1,
      severity: 5,
      version: 1,
      timestamp: '2026-11-22T10:00:00Z',
      hostname: 'host',
      appname: 'app',
      procid: '1',
      msgid: null,
      structured_data: null,
      message: 'hello',
    })
    expect(lines[3]!.error).toMatch(/^rfc5424: column \d+: /)
  })
})
