import Database from 'better-sqlite3'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../store/sqlite/migrate'
import { migrations } from '../store/sqlite/migrations'
import { SyncConsoles } from './core/consoles'
import { RecordStore } from './core/record-store'
import { createSyncApi, SYNC_ROUTES } from './core/sync-api'

type Doc = { openapi: string; paths: Record<string, Record<string, { summary?: string }>> }
const doc = parse(readFileSync(new URL('./openapi.yaml', import.meta.url), 'utf8')) as Doc
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options']
const documented = Object.entries(doc.paths)
  .flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  )
  .sort()

describe('collector/sync/openapi.yaml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-openapi-'))
  const db = new Database(':memory:')
  let server: Server
  let base: string
  let token: string

  beforeAll(async () => {
    migrate(db, migrations, ':memory:')
    const consoles = new SyncConsoles(db)
    token = consoles.add('root', 'admin').token
    const api = createSyncApi({
      records: new RecordStore(db),
      consoles,
      coreId: 'core-test',
      evidenceDir: dir,
      maxEvidenceBytes: 1024,
    })
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      void api.handle(req, res, url).then((handled) => {
        if (!handled) res.writeHead(418).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('is OpenAPI 3.1 and documents exactly the routes the server has', () => {
    expect(doc.openapi).toBe('3.1.0')
    expect(documented).toEqual(SYNC_ROUTES.map((r) => `${r.method} ${r.path}`).sort())
  })

  it('the server answers every documented route (not 404/405) and nothing else under /sync/', async () => {
    for (const route of documented) {
      const [method, path] = route.split(' ') as [string, string]
      const res = await fetch(base + path.replace('{sha256}', 'a'.repeat(64)), {
        method,
        headers: { authorization: `Bearer ${token}` },
        ...(method === 'GET' ? {} : { body: method === 'PUT' ? 'x' : '{}' }),
      })
      // Answered by the route itself: a 404 may only be "no such evidence", never "no such route".
      const body = res.headers.get('content-type')?.includes('json')
        ? ((await res.json()) as { error?: { code: string } })
        : {}
      expect(res.status, route).not.toBe(405)
      expect(body.error?.code, route).not.toBe('unknown_call')
    }
    for (const [method, path] of [
      ['GET', '/sync/v1/nothing'],
      ['GET', '/sync/v2/hello'],
      ['DELETE', '/sync/v1/consoles'],
      ['GET', '/sync/v1/push'],
    ] as const) {
      const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}` } })
      expect([404, 405], `${method} ${path}`).toContain(res.status)
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        res.status === 404 ? /no sync route/ : /is not allowed; use/,
      )
    }
  })
})
