import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeadLetter, StoredEvent } from '../contract'
import { silentLogger } from '../host/log'
import { createCore, type Core } from '../host/create-core'
import { callOk, storedEventsWith } from '../host/test-core'
import type { NewEvent } from '../store/sqlite/events-repo'
import { ElasticListener, parseBulk } from './elastic-listener'
import { IngestPipeline } from './pipeline'
import { SourceStats } from './source-stats'

let core: Core
let dataDir: string
let base: string
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-elastic-'))
  core = await createCore({ dataDir, ephemeralPorts: true })
  base = `http://127.0.0.1:${core.listeners.elastic!.port}`
})
afterAll(async () => {
  await core.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const call = <T>(name: string, req: unknown): Promise<T> => callOk<T>(core, name, req)
const eventsWith = (needle: string): Promise<StoredEvent[]> => storedEventsWith(core, needle)
const es = async (
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
) => {
  const response = await fetch(base + path, {
    method,
    ...(body === undefined ? {} : { body }),
    headers: { 'content-type': 'application/x-ndjson', ...headers },
  })
  const text = await response.text()
  return {
    status: response.status,
    product: response.headers.get('x-elastic-product'),
    body: (text ? JSON.parse(text) : null) as Record<string, unknown>,
  }
}
const ndjson = (...lines: unknown[]): string =>
  lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n'

describe('Elasticsearch _bulk listener', () => {
  it('introduces itself as Elasticsearch 8, with the product header Beats insist on', async () => {
    const info = await es('GET', '/')
    expect(info.status).toBe(200)
    expect(info.product).toBe('Elasticsearch')
    expect(info.body).toMatchObject({
      tagline: 'You Know, for Search',
      version: { number: '8.17.0', build_flavor: 'default' },
    })
    const head = await fetch(base + '/', { method: 'HEAD' })
    expect([head.status, head.headers.get('x-elastic-product')]).toEqual([200, 'Elasticsearch'])
    expect((await es('GET', '/_license?human=false')).body).toMatchObject({
      license: { type: 'basic', status: 'active' },
    })
    expect((await es('GET', '/_cluster/health')).body).toMatchObject({ status: 'green' })
    expect((await es('GET', '/_xpack')).status).toBe(200)
    expect((await es('GET', '/_nodes/_local')).body).toMatchObject({ _nodes: { total: 1 } })
  })

  it('plays along with the setup Beats do before writing: missing, created, then present', async () => {
    for (const path of [
      '/_ilm/policy/filebeat',
      '/_index_template/filebeat-8.17.0',
      '/_ingest/pipeline/p1',
    ]) {
      expect((await es('GET', path)).status).toBe(404)
      expect((await fetch(base + path, { method: 'HEAD' })).status).toBe(404)
      const put = await es('PUT', path, '{"policy":{"phases":{}}}', { 'content-type': 'application/json' })
      expect([put.status, put.body]).toEqual([200, { acknowledged: true }])
      expect((await fetch(base + path, { method: 'HEAD' })).status).toBe(200)
    }
    const unknown = await es('GET', '/_search')
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({
      status: 404,
      error: { type: 'resource_not_found_exception', root_cause: [{ type: 'resource_not_found_exception' }] },
    })
  })

  it('stores a Filebeat-style gzipped bulk and answers per item, in order, once committed', async () => {
    const body = ndjson(
      { create: { _index: 'filebeat-8.17.0' } },
      {
        '@timestamp': '2025-11-22T10:00:00.000Z',
        message: 'es-bulk sshd failed password',
        host: { name: 'web-01' },
        log: { level: 'warning' },
        event: { id: 'same-every-time' },
      },
      { index: { _id: 'doc-7' } },
      { message: 'es-bulk second', 'host.name': 'web-02' },
      { update: { _id: 'u1' } },
      { doc: { message: 'es-bulk updated' } },
      { delete: { _id: 'gone' } },
    )
    const answer = await es('POST', '/logs-default/_bulk?filter_path=errors,items.*.error', gzipSync(body), {
      'content-encoding': 'gzip',
    })
    expect(answer.status).toBe(200)
    expect(answer.body.errors).toBe(false)
    const items = answer.body.items as Record<string, Record<string, unknown>>[]
    expect(items.map((i) => Object.keys(i)[0])).toEqual(['create', 'index', 'update', 'delete'])
    expect(items[0]!.create).toMatchObject({ _index: 'filebeat-8.17.0', status: 201, result: 'created' })
    expect(items[1]!.index).toMatchObject({ _index: 'logs-default', _id: 'doc-7', status: 201 })
    expect(items[3]!.delete).toMatchObject({ status: 404, result: 'not_found' })

    const stored = await eventsWith('es-bulk')
    expect(stored).toHaveLength(3)
    const sshd = stored.find((e) => e.message === 'es-bulk sshd failed password')!
    expect(sshd).toMatchObject({ host: 'web-01', severity: 'warning', timestamp: '2025-11-22T10:00:00.000Z' })
    expect(sshd.fields).toMatchObject({ elastic: { index: 'filebeat-8.17.0', id: null, action: 'create' } })
    expect(sshd.id).toBe('same-every-time') // the source's event.id names the event
    expect(stored.find((e) => e.message === 'es-bulk second')?.fields).toMatchObject({
      elastic: { index: 'logs-default', id: 'doc-7' },
    })

    // The same batch again (a shipper's retry): answered as a success, stored once (event.id, _id).
    expect((await es('POST', '/logs-default/_bulk', body)).body.errors).toBe(false)
    const again = await eventsWith('es-bulk')
    expect(again.filter((e) => e.message === 'es-bulk sshd failed password')).toHaveLength(1)
    expect(again.filter((e) => e.message === 'es-bulk second')).toHaveLength(1)
  })

  it('fails only the bad documents of a bulk, says where, and keeps them as dead letters', async () => {
    const answer = await es(
      'POST',
      '/_bulk',
      ndjson(
        { index: { _index: 'a' } },
        { message: 'es-mixed good 1' },
        { index: { _index: 'a' } },
        '{"message": es-mixed broken}',
        { create: { _index: 'a' } },
        '[1,2]',
        { update: { _index: 'a', _id: 'x' } },
        { script: { source: 'ctx._source.n++' } },
        { index: { _index: 'a' } },
        { message: 'es-mixed good 2' },
      ),
    )
    expect(answer.status).toBe(200)
    expect(answer.body.errors).toBe(true)
    const items = (
      answer.body.items as Record<string, { status: number; error?: { type: string; reason: string } }>[]
    ).map((i) => Object.values(i)[0]!)
    expect(items.map((i) => i.status)).toEqual([201, 400, 400, 400, 201])
    expect(items[1]!.error).toEqual({
      type: 'mapper_parsing_exception',
      reason: expect.stringMatching(/document on line 4: column 13: expected a value/) as string,
    })
    expect(items[2]!.error?.reason).toMatch(/line 6 is not a JSON object/)
    expect(items[3]!.error?.type).toBe('illegal_argument_exception')
    expect((await eventsWith('es-mixed good')).map((e) => e.message).sort()).toEqual([
      'es-mixed good 1',
      'es-mixed good 2',
    ])
    const { dead_letters } = await call<{ dead_letters: DeadLetter[] }>('collector:dead-letters', {
      limit: 20,
    })
    expect(dead_letters.map((d) => d.reason)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^failed to parse the document on line 4: column 13/)]),
    )
  })

  it('refuses a request whose action lines cannot be read, as Elasticsearch does', async () => {
    const broken = await es(
      'POST',
      '/_bulk',
      ndjson({ index: {} }, { message: 'x' }, 'nope', { message: 'y' }),
    )
    expect(broken.status).toBe(400)
    expect(broken.body).toMatchObject({
      status: 400,
      error: { reason: expect.stringMatching(/line \[3\]/) as string },
    })
    const wrong = await es('POST', '/_bulk', ndjson({ upsert: {} }, { message: 'x' }))
    expect(wrong.body).toMatchObject({
      error: { reason: expect.stringMatching(/one of \[create, delete/) as string },
    })
    expect((await es('POST', '/_bulk', '\n')).body).toMatchObject({
      error: { type: 'action_request_validation_exception' },
    })
  })

  it('takes a single document at /{index}/_doc', async () => {
    const created = await es('POST', '/app-logs/_doc', '{"message":"es-single hello","level":"info"}', {
      'content-type': 'application/json',
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ _index: 'app-logs', result: 'created', _version: 1 })
    expect((await eventsWith('es-single'))[0]?.id).toBe(created.body._id)
    const bad = await es('PUT', '/app-logs/_doc/1', '{"message"', { 'content-type': 'application/json' })
    expect([bad.status, (bad.body.error as { type: string }).type]).toEqual([400, 'mapper_parsing_exception'])
  })

  it('works with curl, as operators test it', async () => {
    // Async: the collector runs in this process, a blocking spawn would starve it.
    const { stdout } = await promisify(execFile)(
      'curl',
      [
        '-s',
        '-H',
        'Content-Type: application/x-ndjson',
        '--data-binary',
        '{"index":{"_index":"curl"}}\n{"message":"es-curl hello"}\n',
        `${base}/_bulk`,
      ],
      { encoding: 'utf8', timeout: 5000 },
    )
    expect(JSON.parse(stdout)).toMatchObject({ errors: false, items: [{ index: { status: 201 } }] })
  })
})

describe('Elasticsearch listener with require_token', () => {
  const stored: NewEvent[][] = []
  let listener: ElasticListener
  let url: string
  beforeAll(async () => {
    const pipeline = new IngestPipeline(
      {
        commit: (submissions: ReadonlyArray<{ events: readonly NewEvent[] }>) => {
          for (const { events } of submissions) stored.push([...events])
          const inserted = submissions.reduce((n, { events }) => n + events.length, 0)
          return { range: { first: 1, last: inserted, inserted }, duplicates: submissions.map(() => false) }
        },
      } as never,
      () => {},
    )
    const checkToken = (token: string) =>
      token === 'good'
        ? ({ ok: true, name: 'default' } as const)
        : ({ ok: false, reason: 'unknown' } as const)
    listener = new ElasticListener(
      { host: '127.0.0.1', port: 0, maxBodyBytes: 1 << 20, requireToken: true },
      pipeline,
      checkToken,
      new SourceStats(),
      silentLogger,
    )
    url = `http://127.0.0.1:${(await listener.start()).port}/_bulk`
  })
  afterAll(() => listener.stop())

  const post = (authorization?: string) =>
    fetch(url, {
      method: 'POST',
      body: '{"index":{}}\n{"message":"m"}\n',
      headers: authorization ? { authorization } : {},
    })

  it.each([
    ['Bearer good', 200],
    ['ApiKey good', 200],
    [`ApiKey ${Buffer.from('outpost:good').toString('base64')}`, 200], // Beats' api_key: "id:key"
    [`Basic ${Buffer.from('elastic:good').toString('base64')}`, 200],
    ['Bearer bad', 401],
    [`Basic ${Buffer.from('elastic:bad').toString('base64')}`, 401],
    ['Digest x', 401],
    [undefined, 401],
  ])('%s -> %i', async (authorization, status) => {
    const response = await post(authorization)
    expect(response.status).toBe(status)
    expect(response.headers.get('x-elastic-product')).toBe('Elasticsearch')
    if (status === 401) {
      expect(response.headers.get('www-authenticate')).toMatch(/Bearer/)
      expect(await response.json()).toMatchObject({ status: 401, error: { type: 'security_exception' } })
    }
  })
})

describe('parseBulk', () => {
  it('pairs actions with documents, skipping blank lines and CRLF', () => {
    const items = parseBulk(
      '{"index":{"_index":"i","_id":3}}\r\n\r\n{"a":1}\r\n{"delete":{"_id":"d"}}\n',
      'dflt',
    )
    expect(items).toEqual([
      { action: 'index', index: 'i', id: '3', line: 1, doc: { a: 1 } },
      { action: 'delete', index: 'dflt', id: 'd', line: 4, delete: true },
    ])
  })

  it('reports a trailing action without its document', () => {
    expect(parseBulk('{"create":{}}\n', null)[0]).toMatchObject({
      failure: { status: 400, reason: 'the create action on line 1 has no document line after it' },
    })
  })
})

describe('Elasticsearch listener version', () => {
  it('claims the version configured, so newer Beats can be matched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-es-version-'))
    writeFileSync(join(dir, 'config.yaml'), 'listeners:\n  elastic:\n    version: 9.1.0\n')
    const core = await createCore({ dataDir: dir, ephemeralPorts: true })
    try {
      const info = (await (await fetch(`http://127.0.0.1:${core.listeners.elastic!.port}/`)).json()) as {
        version: { number: string }
      }
      expect(info.version.number).toBe('9.1.0')
    } finally {
      await core.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
