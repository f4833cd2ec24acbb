import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../../contract'
import { runCli } from '../../host/cli'
import type { CliIo } from '../../host/commands/common'
import { createCore, type Core } from '../../host/create-core'
import { silentLogger } from '../../host/log'
import { startServeHost, type ServeHost } from '../../host/serve'
import { callOk } from '../../host/test-core'
import { SqliteStore } from '../../store/sqlite/sqlite-store'
import { TaxiiPuller } from './client'
import { TaxiiConfig, type TaxiiSourceConfig } from './config'
import { TaxiiIndicatorsRepo } from './indicators-repo'
import { TAXII_MEDIA_TYPE } from './server'

const dirs: string[] = []
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-taxii-client-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const indicator = (n: number, pattern: string, extra: Record<string, unknown> = {}) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  created: '2026-12-01T00:00:00.000Z',
  modified: '2026-12-01T00:00:00.000Z',
  pattern,
  pattern_type: 'stix',
  valid_from: '2026-12-01T00:00:00.000Z',
  ...extra,
})

type Served = { date_added: string; object: Record<string, unknown> }

/**
 * A small TAXII 2.1 server: one collection, pages of `pageSize` by date added, with `next`
 * (or, with `noNext`, only `more` and the date headers), Basic auth, and every request kept.
 */
const fakeTaxii = async (options: { pageSize: number; noNext?: boolean }) => {
  const served: Served[] = []
  const requests: Array<{ url: URL; auth: string | undefined; accept: string | undefined }> = []
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    requests.push({ url, auth: req.headers.authorization, accept: req.headers.accept })
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': TAXII_MEDIA_TYPE, ...headers })
      res.end(JSON.stringify(body))
    }
    if (req.headers.authorization !== `Basic ${Buffer.from('analyst:s3cret').toString('base64')}`)
      return reply(401, { title: 'Unauthorized', http_status: '401' })
    if (url.pathname !== '/api1/collections/feed-1/objects/')
      return reply(404, { title: 'Not found', http_status: '404' })
    const after = url.searchParams.get('added_after')
    const start = Number(url.searchParams.get('next') ?? 0)
    const matching = served
      .filter((s) => after === null || s.date_added > after)
      .sort((a, b) => (a.date_added < b.date_added ? -1 : 1))
    const page = matching.slice(start, start + options.pageSize)
    const more = start + page.length < matching.length
    reply(
      200,
      {
        more,
        ...(more && !options.noNext && { next: String(start + page.length) }),
        ...(page.length > 0 && { objects: page.map((s) => s.object) }),
      },
      page.length > 0
        ? {
            'X-TAXII-Date-Added-First': page[0]!.date_added,
            'X-TAXII-Date-Added-Last': page[page.length - 1]!.date_added,
          }
        : {},
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    served,
    requests,
    url: `http://127.0.0.1:${port}/api1/collections/feed-1/objects/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const sourceConfig = (fields: Record<string, unknown>): TaxiiSourceConfig =>
  TaxiiConfig.parse({ sources: [{ name: 'feed', ...fields }] }).sources[0]!

describe('TaxiiPuller against a fake TAXII 2.1 server', () => {
  let store: SqliteStore
  let fake: Awaited<ReturnType<typeof fakeTaxii>>
  beforeAll(() => {
    store = SqliteStore.open(join(tempDir(), 'outpost.sqlite'), { synchronous: 'normal' })
  })
  afterEach(async () => {
    await fake.close()
    store.db.exec('DELETE FROM taxii_indicators; DELETE FROM taxii_sources')
  })
  afterAll(() => store.close())

  const puller = (url: string, extra: Record<string, unknown> = {}) => {
    const repo = new TaxiiIndicatorsRepo(store.db)
    const source = sourceConfig({ url, username: 'analyst', password: 's3cret', page_size: 3, ...extra })
    return { repo, puller: new TaxiiPuller({ sources: [source], repo, db: store.db, log: silentLogger }) }
  }

  it('pulls indicators across two pages with next, skips what it cannot hold with a counted reason, and stores each once', async () => {
    fake = await fakeTaxii({ pageSize: 3 })
    fake.served.push(
      { date_added: '2026-12-01T10:00:00.000Z', object: indicator(1, "[ipv4-addr:value = '203.0.113.9']") },
      {
        date_added: '2026-12-01T10:00:01.000Z',
        object: indicator(2, "[domain-name:value = 'evil.example']"),
      },
      {
        date_added: '2026-12-01T10:00:02.000Z',
        object: indicator(3, "[ipv4-addr:value = '1.2.3.4'] OR [ipv4-addr:value = '5.6.7.8']"),
      },
      {
        date_added: '2026-12-01T10:00:03.000Z',
        object: indicator(4, `[file:hashes.'SHA-256' = '${'e'.repeat(64)}']`, {
          valid_until: '2027-01-01T00:00:00.000Z',
          name: 'dropper',
        }),
      },
      {
        date_added: '2026-12-01T10:00:04.000Z',
        object: indicator(5, 'rule x { condition: true }', { pattern_type: 'yara' }),
      },
    )
    const { repo, puller: p } = puller(fake.url)
    const first = await p.pull('feed')
    expect(first).toEqual({
      source: 'feed',
      stored: 3,
      removed: 0,
      skipped: { 'complex-pattern': 1, 'not-stix-pattern': 1 },
      pages: 2,
      error: null,
    })
    // Page two asked with the server's next, the filters and the Basic credentials and Accept.
    expect(fake.requests.map((r) => r.url.searchParams.get('next'))).toEqual([null, '3'])
    expect(fake.requests[0]!.url.searchParams.get('match[type]')).toBe('indicator')
    expect(fake.requests[0]!.url.searchParams.get('limit')).toBe('3')
    expect(fake.requests[0]!.accept).toBe(TAXII_MEDIA_TYPE)
    expect(repo.list().map((i) => [i.type, i.value, i.valid_until, i.name])).toEqual([
      ['domain', 'evil.example', null, null],
      ['ipv4', '203.0.113.9', null, null],
      ['sha256', 'e'.repeat(64), '2027-01-01T00:00:00.000Z', 'dropper'],
    ])
    expect(repo.state('feed')).toMatchObject({
      added_after: '2026-12-01T10:00:04.000Z',
      last_error: null,
      last_stored: 3,
      indicators: 3,
    })

    // Again: asked from the cursor, nothing new, nothing stored twice.
    const again = await p.pull('feed')
    expect(again).toMatchObject({ stored: 0, pages: 1, error: null })
    expect(fake.requests.at(-1)!.url.searchParams.get('added_after')).toBe('2026-12-01T10:00:04.000Z')
    expect(repo.list()).toHaveLength(3)

    // A newer version of one, a revocation of another, and a new one: one row each still.
    fake.served.push(
      {
        date_added: '2026-12-02T08:00:00.000Z',
        object: indicator(1, "[ipv4-addr:value = '203.0.113.10']", { modified: '2026-12-02T07:00:00.000Z' }),
      },
      {
        date_added: '2026-12-02T08:00:01.000Z',
        object: indicator(2, "[domain-name:value = 'evil.example']", {
          modified: '2026-12-02T07:00:00.000Z',
          revoked: true,
        }),
      },
      {
        date_added: '2026-12-02T08:00:02.000Z',
        object: indicator(6, "[email-addr:value = 'ceo@evil.example']"),
      },
    )
    const third = await p.pull('feed')
    expect(third).toMatchObject({ stored: 2, removed: 1, pages: 1, error: null })
    expect(repo.list().map((i) => [i.stix_id.slice(-2), i.type, i.value])).toEqual([
      ['06', 'email', 'ceo@evil.example'],
      ['01', 'ipv4', '203.0.113.10'],
      ['04', 'sha256', 'e'.repeat(64)],
    ])
    expect(repo.matches('ipv4', '203.0.113.10')).toHaveLength(1)
    expect(repo.matches('sha256', 'e'.repeat(64), new Date('2027-02-01T00:00:00Z'))).toEqual([])
  })

  it('pages by date added when the server gives more but no next', async () => {
    fake = await fakeTaxii({ pageSize: 2, noNext: true })
    for (let n = 1; n <= 5; n++)
      fake.served.push({
        date_added: `2026-12-01T10:00:0${n}.000Z`,
        object: indicator(n, `[ipv4-addr:value = '192.0.2.${n}']`),
      })
    const { repo, puller: p } = puller(fake.url, { page_size: 2 })
    expect(await p.pull('feed')).toMatchObject({ stored: 5, pages: 3, error: null })
    expect(fake.requests.map((r) => r.url.searchParams.get('added_after'))).toEqual([
      null,
      '2026-12-01T10:00:02.000Z',
      '2026-12-01T10:00:04.000Z',
    ])
    expect(repo.list()).toHaveLength(5)
  })

  it('records the error a server answers, and keeps the cursor', async () => {
    fake = await fakeTaxii({ pageSize: 2 })
    const { repo, puller: p } = puller(fake.url, { password: 'wrong' })
    const result = await p.pull('feed')
    expect(result.error).toMatch(/answered 401 \(Unauthorized\)/)
    expect(repo.state('feed')).toMatchObject({
      last_error: result.error,
      added_after: null,
      last_ok_at: null,
    })
    const unreachable = puller('http://127.0.0.1:1/api1/collections/feed-1/objects/')
    expect((await unreachable.puller.pull('feed')).error).toMatch(/127\.0\.0\.1:1/)
    const badCa = puller(fake.url, { ca_file: '/nonexistent/ca.pem' })
    expect((await badCa.puller.pull('feed')).error).toMatch(/cannot read ca_file/)
  })
})

describe('taxii.sources configuration', () => {
  it('takes an objects URL, or an API root with a collection, and says what is wrong otherwise', () => {
    expect(TaxiiConfig.parse({}).sources).toEqual([])
    const parsed = sourceConfig({ url: 'https://taxii.example/api1/', collection: 'abc' })
    expect(parsed).toMatchObject({ interval_s: 3600, page_size: 500 })
    const bad = (fields: Record<string, unknown>) =>
      TaxiiConfig.safeParse({ sources: [{ name: 'feed', ...fields }] }).error?.issues.map(
        (i) => `${i.path.join('.')}: ${i.message}`,
      )
    expect(bad({ url: 'https://taxii.example/api1/' })).toEqual([
      'sources.0.url: give the objects URL (…/collections/<id>/objects/) or an API root URL and collection',
    ])
    expect(bad({ url: 'ftp://x/collections/a/objects/' })?.[0]).toMatch(/^sources\.0\.url/)
    expect(
      bad({ url: 'https://x/collections/a/objects/', token: 't', username: 'u', password: 'p' }),
    ).toEqual(['sources.0.token: either token or username/password, not both'])
    expect(bad({ url: 'https://x/collections/a/objects/', username: 'u' })).toEqual([
      'sources.0.password: username and password go together',
    ])
    expect(bad({ url: 'https://x/collections/a/objects/', interval_s: 5 })?.[0]).toMatch(/interval_s/)
    expect(
      TaxiiConfig.safeParse({
        sources: [
          { name: 'a', url: 'https://x/collections/a/objects/' },
          { name: 'a', url: 'https://y/collections/a/objects/' },
        ],
      }).error?.issues[0]?.message,
    ).toBe('source names must be unique')
  })
})

describe("a core pulls from another Outpost's TAXII server (round trip)", () => {
  const TOKEN = 'round-trip-token-0123456789abcdef'
  let producer: Core
  let consumer: Core
  let host: ServeHost
  let consumerDir = ''

  beforeAll(async () => {
    const producerDir = tempDir()
    producer = await createCore({ dataDir: producerDir, ephemeralPorts: true })
    const { report } = await callOk<CallRes<'reports:create'>>(producer, 'reports:create', {
      title: 'Shared campaign',
      body: 'C2 and a dropper',
      tlp: 'green',
      observables: [
        { type: 'ipv4', value: '198.51.100.23' },
        { type: 'domain', value: 'c2.evil.example' },
        { type: 'sha1', value: 'f'.repeat(40) },
        { type: 'user', value: 'svc-backup' },
      ],
    })
    await callOk(producer, 'reports:update', { id: report.id, version: 1, status: 'review' })
    await callOk(producer, 'reports:update', { id: report.id, version: 2, status: 'published' })
    host = await startServeHost({
      core: producer,
      token: TOKEN,
      host: '127.0.0.1',
      port: 0,
      rendererDir: join(producerDir, 'none'),
      log: silentLogger,
      maxUploadBytes: 1024,
      uploadsDir: join(producerDir, 'uploads'),
    })
    consumerDir = tempDir()
    writeFileSync(
      join(consumerDir, 'config.yaml'),
      [
        'taxii:',
        '  sources:',
        '    - name: hq',
        `      url: ${host.api}/taxii2/outpost/`,
        '      collection: intelligence-reports',
        `      token: ${TOKEN}`,
        '      page_size: 2',
        '',
      ].join('\n'),
    )
    consumer = await createCore({ dataDir: consumerDir, ephemeralPorts: true })
  })
  afterAll(async () => {
    await consumer.stop()
    await host.close()
    await producer.stop()
  })

  it('taxii:pull-now stores the published indicators it can hold, and taxii:sources says so', async () => {
    const { results } = await callOk<CallRes<'taxii:pull-now'>>(consumer, 'taxii:pull-now', {})
    expect(results).toEqual([
      {
        source: 'hq',
        stored: 3,
        removed: 0,
        skipped: { 'unsupported-object': 1 },
        pages: 2,
        error: null,
      },
    ])
    const again = await callOk<CallRes<'taxii:pull-now'>>(consumer, 'taxii:pull-now', { source: 'hq' })
    expect(again.results[0]).toMatchObject({ stored: 0, error: null })
    // They are in the watchlist, beside the lists content bundles install.
    const listed = await callOk<CallRes<'watchlist:list'>>(consumer, 'watchlist:list', { list: 'taxii:hq' })
    expect(listed.total).toBe(3)
    expect(listed.indicators.every((i) => i.list === 'taxii:hq' && i.source?.startsWith('indicator--'))).toBe(
      true,
    )
    const { sources } = await callOk<CallRes<'taxii:sources'>>(consumer, 'taxii:sources', {})
    expect(sources).toEqual([
      expect.objectContaining({
        name: 'hq',
        url: `${host.api}/taxii2/outpost/collections/intelligence-reports/objects/`,
        indicators: 3,
        last_error: null,
        added_after: expect.stringMatching(/^\d{4}-/) as unknown,
        running: false,
      }),
    ])
  })

  it('refuses an unknown source by name, and a core with no sources says how to add one', async () => {
    expect(await consumer.call('taxii:pull-now', { source: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: 'no TAXII source named nope; configured: hq' },
    })
    expect(await producer.call('taxii:sources', {})).toEqual({ ok: true, value: { sources: [] } })
    const none = await producer.call('taxii:pull-now', {})
    expect(none).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    expect(JSON.stringify(none)).toContain('taxii.sources')
  })

  it('outpost taxii pull does the same from the CLI, --json too', async () => {
    await consumer.stop()
    const out: string[] = []
    const err: string[] = []
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      env: {},
    } as unknown as CliIo
    expect(await runCli(['taxii', 'pull', '--data-dir', consumerDir], io)).toBe(0)
    expect(out.join('')).toBe('hq: 0 stored, 0 revoked, 1 page(s)\n')
    out.length = 0
    expect(await runCli(['taxii', 'pull', '--json', '--data-dir', consumerDir], io)).toBe(0)
    expect(JSON.parse(out.join(''))).toEqual({
      results: [{ source: 'hq', stored: 0, removed: 0, skipped: {}, pages: 1, error: null }],
    })
    expect(await runCli(['taxii', 'pull', '--source', 'x', '--data-dir', consumerDir], io)).toBe(2)
    expect(err.join('')).toContain('no TAXII source named x')
    expect(await runCli(['taxii', 'fetch', '--data-dir', consumerDir], io)).toBe(2)
  })
})
