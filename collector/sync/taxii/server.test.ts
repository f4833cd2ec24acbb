import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../../contract'
import { createCore, type Core } from '../../host/create-core'
import { silentLogger } from '../../host/log'
import { startServeHost, type ServeHost } from '../../host/serve'
import { callOk } from '../../host/test-core'
import { loadStixSchemas, validateStixBundle } from '../../workspace/export/stix-validate'
import type { StixObject } from '../../workspace/export/stix'
import { COLLECTION_ID, TAXII_MEDIA_TYPE, acceptsTaxii, taxiiAuthorized } from './server'

const STIX = fileURLToPath(new URL('../../../../shared/stix/', import.meta.url))
const schemas = loadStixSchemas(join(STIX, 'schemas'))
const TOKEN = 'taxii-test-token-0123456789'

/** An object version's key: id and modified (or created for objects without modified). */
const versionKey = (o: StixObject): string => `${o.id}@${JSON.stringify(o.modified ?? o.created ?? null)}`

type Envelope = { more?: boolean; next?: string; objects?: StixObject[] }
type Manifest = {
  more?: boolean
  next?: string
  objects?: Array<{ id: string; date_added: string; version: string; media_type: string }>
}

describe('TAXII 2.1 server on the headless host', () => {
  let core: Core
  let host: ServeHost
  let dataDir: string
  const published: Array<CallRes<'reports:update'>['report']> = []
  let draftId = ''

  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${host.api}${path}`, {
      headers: { authorization: `Bearer ${TOKEN}`, accept: TAXII_MEDIA_TYPE, ...headers },
    })
  const getJson = async <T>(path: string): Promise<{ body: T; response: Response }> => {
    const response = await get(path)
    expect(response.status, `${path}: ${response.status}`).toBe(200)
    expect(response.headers.get('content-type')).toBe(TAXII_MEDIA_TYPE)
    return { body: (await response.json()) as T, response }
  }
  const objectsPath = `/taxii2/outpost/collections/${COLLECTION_ID}/objects/`

  const publish = async (title: string, observables: Array<{ type: string; value: string }>) => {
    const { report } = await callOk<CallRes<'reports:create'>>(core, 'reports:create', {
      title,
      body: `About ${title}`,
      tlp: 'green',
      techniques: ['T1059'],
      observables,
    })
    await callOk(core, 'reports:update', { id: report.id, version: 1, status: 'review' })
    const done = await callOk<CallRes<'reports:update'>>(core, 'reports:update', {
      id: report.id,
      version: 2,
      status: 'published',
    })
    // Distinct publish times (milliseconds), so date_added orders the reports.
    await new Promise((r) => setTimeout(r, 15))
    return done.report
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-taxii-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
    published.push(
      await publish('Beacon to 203.0.113.9', [
        { type: 'ipv4', value: '203.0.113.9' },
        { type: 'domain', value: 'evil.example' },
      ]),
    )
    published.push(
      await publish('Dropper hash', [
        { type: 'sha256', value: 'a'.repeat(64) },
        { type: 'url', value: 'http://evil.example/x' },
      ]),
    )
    const { report } = await callOk<CallRes<'reports:create'>>(core, 'reports:create', {
      title: 'Unpublished draft',
      body: 'not shared',
      tlp: 'green',
      observables: [{ type: 'ipv4', value: '198.51.100.77' }],
    })
    draftId = report.id
    host = await startServeHost({
      core,
      token: TOKEN,
      host: '127.0.0.1',
      port: 0,
      rendererDir: join(dataDir, 'no-renderer'),
      log: silentLogger,
      maxUploadBytes: 1024,
      uploadsDir: join(dataDir, 'uploads'),
    })
  })
  afterAll(async () => {
    await host.close()
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('answers discovery and the API root', async () => {
    const { body: discovery } = await getJson<Record<string, unknown>>('/taxii2/')
    expect(discovery).toMatchObject({
      title: 'Outpost TAXII 2.1',
      default: `${host.api}/taxii2/outpost/`,
      api_roots: [`${host.api}/taxii2/outpost/`],
    })
    const { body: root } = await getJson<Record<string, unknown>>('/taxii2/outpost/')
    expect(root).toMatchObject({ versions: ['application/taxii+json;version=2.1'] })
    expect(typeof root.max_content_length).toBe('number')
  })

  it('lists one read-only collection, and answers it by id and by alias', async () => {
    const { body } = await getJson<{ collections: Array<Record<string, unknown>> }>(
      '/taxii2/outpost/collections/',
    )
    expect(body.collections).toEqual([
      expect.objectContaining({
        id: COLLECTION_ID,
        alias: 'intelligence-reports',
        can_read: true,
        can_write: false,
        media_types: ['application/stix+json;version=2.1'],
      }),
    ])
    expect((await getJson(`/taxii2/outpost/collections/${COLLECTION_ID}/`)).body).toEqual(body.collections[0])
    expect((await getJson('/taxii2/outpost/collections/intelligence-reports/')).body).toEqual(
      body.collections[0],
    )
  })

  it('serves the objects of published reports only, valid against the OASIS STIX 2.1 schemas', async () => {
    const { body, response } = await getJson<Envelope>(objectsPath)
    expect(body.more).toBe(false)
    const objects = body.objects ?? []
    const reports = objects.filter((o) => o.type === 'report')
    expect(reports.map((r) => r.name).sort()).toEqual(['Beacon to 203.0.113.9', 'Dropper hash'])
    expect(JSON.stringify(objects)).not.toContain('198.51.100.77')
    expect(JSON.stringify(objects)).not.toContain(draftId)
    const patterns = objects.filter((o) => o.type === 'indicator').map((o) => o.pattern)
    expect(patterns).toEqual(
      expect.arrayContaining([
        "[ipv4-addr:value = '203.0.113.9']",
        "[domain-name:value = 'evil.example']",
        `[file:hashes.'SHA-256' = '${'a'.repeat(64)}']`,
      ]),
    )
    const validation = validateStixBundle(
      { type: 'bundle', id: 'bundle--6f2e1a3b-1c2d-4e5f-8a9b-0c1d2e3f4a5b', objects },
      schemas,
    )
    expect(validation.errors).toEqual([])
    // Dates added are the publish times: first and last of the page in the headers.
    expect(response.headers.get('x-taxii-date-added-first')).toBe(
      new Date(published[0]!.updated_at).toISOString(),
    )
    expect(response.headers.get('x-taxii-date-added-last')).toBe(
      new Date(published[1]!.updated_at).toISOString(),
    )
  })

  it('pages with limit and next, every object once, in date-added order', async () => {
    const { body: all } = await getJson<Envelope>(objectsPath)
    const total = all.objects?.length ?? 0
    expect(total).toBeGreaterThan(10)
    const seen: string[] = []
    let next: string | undefined
    let pages = 0
    do {
      const query = `?limit=4${next ? `&next=${encodeURIComponent(next)}` : ''}`
      const { body, response } = await getJson<Envelope>(objectsPath + query)
      pages++
      const objects = body.objects ?? []
      expect(objects.length).toBeLessThanOrEqual(4)
      seen.push(...objects.map(versionKey))
      expect(response.headers.get('x-taxii-date-added-first')).toMatch(/^\d{4}-/)
      if (body.more) expect(body.next).toEqual(expect.any(String))
      else expect(body.next).toBeUndefined()
      next = body.next
    } while (next !== undefined && pages < 100)
    expect(pages).toBe(Math.ceil(total / 4))
    expect(new Set(seen).size).toBe(total)
    expect(seen).toEqual((all.objects ?? []).map(versionKey))
  })

  it('filters by added_after, match[type], match[id] and match[version]', async () => {
    const firstPublish = new Date(published[0]!.updated_at).toISOString()
    const { body: later } = await getJson<Envelope>(`${objectsPath}?added_after=${firstPublish}`)
    const names = (later.objects ?? []).filter((o) => o.type === 'report').map((o) => o.name)
    expect(names).toEqual(['Dropper hash'])
    expect(JSON.stringify(later.objects)).not.toContain('203.0.113.9')

    const { body: indicators } = await getJson<Envelope>(`${objectsPath}?match[type]=indicator`)
    expect(indicators.objects?.length).toBe(4)
    expect(new Set(indicators.objects?.map((o) => o.type))).toEqual(new Set(['indicator']))

    const { body: two } = await getJson<Envelope>(`${objectsPath}?match[type]=indicator,report`)
    expect(two.objects?.length).toBe(6)

    const one = indicators.objects![0]!
    const { body: byId } = await getJson<Envelope>(`${objectsPath}?match[id]=${one.id}`)
    expect(byId.objects).toEqual([one])
    const { body: single } = await getJson<Envelope>(`${objectsPath}${one.id}/`)
    expect(single.objects).toEqual([one])
    const { body: versions } = await getJson<{ versions?: string[] }>(`${objectsPath}${one.id}/versions/`)
    expect(versions.versions).toEqual([one.modified])
    const { body: atVersion } = await getJson<Envelope>(
      `${objectsPath}${one.id}/?match[version]=${String(one.modified)}`,
    )
    expect(atVersion.objects).toEqual([one])
    const { body: none } = await getJson<Envelope>(
      `${objectsPath}${one.id}/?match[version]=2001-01-01T00:00:00.000Z`,
    )
    expect(none).toEqual({ more: false })

    // The identity is in both reports with their own created dates: two versions, "all" shows both.
    const { body: identities } = await getJson<Envelope>(
      `${objectsPath}?match[type]=identity&match[version]=all`,
    )
    const { body: lastIdentity } = await getJson<Envelope>(`${objectsPath}?match[type]=identity`)
    expect(lastIdentity.objects?.length).toBe(1)
    expect(identities.objects?.length).toBe(2)
  })

  it('answers the manifest: one record per object version, paged too', async () => {
    const { body } = await getJson<Manifest>(`/taxii2/outpost/collections/${COLLECTION_ID}/manifest/`)
    const { body: all } = await getJson<Envelope>(objectsPath)
    expect(body.objects?.map((m) => m.id)).toEqual(all.objects?.map((o) => o.id))
    for (const record of body.objects ?? []) {
      expect(record.media_type).toBe('application/stix+json;version=2.1')
      expect(record.date_added).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    }
    const { body: paged } = await getJson<Manifest>(
      `/taxii2/outpost/collections/${COLLECTION_ID}/manifest/?limit=2&match[type]=indicator`,
    )
    expect(paged.more).toBe(true)
    expect(typeof paged.next).toBe('string')
    expect(paged.objects?.length).toBe(2)
  })

  it('refuses without the token, with TAXII error messages; accepts Basic with the token as password', async () => {
    const none = await fetch(`${host.api}/taxii2/`, { headers: { accept: TAXII_MEDIA_TYPE } })
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toContain('Basic')
    expect(none.headers.get('content-type')).toBe(TAXII_MEDIA_TYPE)
    expect(await none.json()).toMatchObject({ title: 'Unauthorized', http_status: '401' })
    const wrong = await get('/taxii2/', { authorization: 'Bearer nope' })
    expect(wrong.status).toBe(401)
    const basic = await get('/taxii2/', {
      authorization: `Basic ${Buffer.from(`opencti:${TOKEN}`).toString('base64')}`,
    })
    expect(basic.status).toBe(200)
    const badBasic = await get('/taxii2/', {
      authorization: `Basic ${Buffer.from(`${TOKEN}:wrong`).toString('base64')}`,
    })
    expect(badBasic.status).toBe(401)
  })

  it('answers 406 for an Accept it cannot serve and 404 for what is not there, as error messages', async () => {
    for (const accept of ['application/json', 'application/taxii+json;version=2.0', 'text/html']) {
      const response = await get('/taxii2/', { accept })
      expect(response.status, accept).toBe(406)
      expect(await response.json()).toMatchObject({ title: 'Not Acceptable', http_status: '406' })
    }
    expect((await get('/taxii2/', { accept: 'application/taxii+json' })).status).toBe(200)
    for (const path of [
      '/taxii2/elsewhere/',
      '/taxii2/outpost/collections/nope/',
      `${objectsPath}indicator--00000000-0000-4000-8000-000000000000/`,
      `${objectsPath}indicator--00000000-0000-4000-8000-000000000000/versions/`,
      '/taxii2/outpost/status/abc/',
    ]) {
      const response = await get(path)
      expect(response.status, path).toBe(404)
      expect(response.headers.get('content-type')).toBe(TAXII_MEDIA_TYPE)
      const error = (await response.json()) as { http_status: string; description: string }
      expect(error.http_status).toBe('404')
      expect(error.description.length).toBeGreaterThan(0)
    }
    for (const query of ['?added_after=yesterday', '?limit=0', '?limit=x', '?next=garbage']) {
      const response = await get(objectsPath + query)
      expect(response.status, query).toBe(400)
      expect(await response.json()).toMatchObject({ http_status: '400' })
    }
    const write = await fetch(`${host.api}${objectsPath}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        accept: TAXII_MEDIA_TYPE,
        'content-type': TAXII_MEDIA_TYPE,
      },
      body: '{"objects":[]}',
    })
    expect(write.status).toBe(403)
    expect(await write.json()).toMatchObject({ http_status: '403' })
  })

  it('leaves the rest of the host alone', async () => {
    const health = await fetch(`${host.api}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(health.status).toBe(200)
  })
})

describe('TAXII auth and content negotiation', () => {
  it('reads Bearer and Basic (password = token) and nothing else', () => {
    expect(taxiiAuthorized('Bearer abc', 'abc')).toBe(true)
    expect(taxiiAuthorized('bearer abc', 'abc')).toBe(true)
    expect(taxiiAuthorized(`Basic ${Buffer.from('u:abc').toString('base64')}`, 'abc')).toBe(true)
    expect(taxiiAuthorized(`Basic ${Buffer.from(':abc').toString('base64')}`, 'abc')).toBe(true)
    expect(taxiiAuthorized(`Basic ${Buffer.from('abc').toString('base64')}`, 'abc')).toBe(false)
    expect(taxiiAuthorized('Digest abc', 'abc')).toBe(false)
    expect(taxiiAuthorized(undefined, 'abc')).toBe(false)
  })
  it('accepts TAXII 2.1 JSON and wildcards, not other versions or types', () => {
    expect(acceptsTaxii(undefined)).toBe(true)
    expect(acceptsTaxii('application/taxii+json;version=2.1')).toBe(true)
    expect(acceptsTaxii('application/taxii+json; version=2.1')).toBe(true)
    expect(acceptsTaxii('text/html, */*;q=0.1')).toBe(true)
    expect(acceptsTaxii('application/taxii+json;version=2.0')).toBe(false)
    expect(acceptsTaxii('application/json')).toBe(false)
    expect(acceptsTaxii('application/taxii+json;version=2.1;q=0')).toBe(false)
  })
})
