import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes, Tlp } from '../../contract'
import { createCore, type Core } from '../../host/create-core'
import { silentLogger } from '../../host/log'
import { startServeHost, type ServeHost } from '../../host/serve'
import { callOk } from '../../host/test-core'
import type { StixObject } from '../../workspace/export/stix'
import { publishedEntries } from './collection'
import { COLLECTION_ID, TAXII_MEDIA_TYPE } from './server'

const TOKEN = 'taxii-tlp-test-token-0123456789'

type Envelope = { more?: boolean; next?: string; objects?: StixObject[] }
type Manifest = { more?: boolean; next?: string; objects?: Array<{ id: string }> }

describe('TAXII server: the TLP ceiling (taxii.serve_max_tlp, default green)', () => {
  let core: Core
  let host: ServeHost
  let dataDir: string
  /** TLP -> the values only that TLP's report names. */
  const only: Record<Tlp, string> = {
    clear: '203.0.113.10',
    green: '203.0.113.20',
    amber: '203.0.113.30',
    'amber+strict': '203.0.113.40',
    red: '203.0.113.50',
  }
  const collection = `/taxii2/outpost/collections/${COLLECTION_ID}`

  const getJson = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${host.api}${path}`, {
      headers: { authorization: `Bearer ${TOKEN}`, accept: TAXII_MEDIA_TYPE },
    })
    expect(response.status, path).toBe(200)
    return (await response.json()) as T
  }
  /** Every page of objects, `limit` at a time, following `next`. */
  const allPages = async (limit: number): Promise<StixObject[]> => {
    const out: StixObject[] = []
    let next: string | undefined
    for (let i = 0; i < 100; i++) {
      const page = await getJson<Envelope>(
        `${collection}/objects/?limit=${limit}${next ? `&next=${encodeURIComponent(next)}` : ''}`,
      )
      out.push(...(page.objects ?? []))
      if (!page.more) return out
      next = page.next
    }
    throw new Error('pages never ended')
  }
  const mentions = (objects: unknown[], value: string): boolean => JSON.stringify(objects).includes(value)

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-taxii-tlp-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
    for (const tlp of Object.keys(only) as Tlp[]) {
      const { report } = await callOk<CallRes<'reports:create'>>(core, 'reports:create', {
        title: `Report at TLP ${tlp}`,
        body: 'x',
        tlp,
        observables: [{ type: 'ipv4', value: only[tlp] }],
      })
      await callOk(core, 'reports:update', { id: report.id, version: 1, status: 'review' })
      await callOk(core, 'reports:update', { id: report.id, version: 2, status: 'published' })
    }
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

  it('serves CLEAR and GREEN reports, and nothing of AMBER, AMBER+STRICT or RED ones', async () => {
    const { objects = [] } = await getJson<Envelope>(`${collection}/objects/`)
    const reports = objects.filter((o) => o.type === 'report').map((o) => o.name)
    expect(reports.sort()).toEqual(['Report at TLP clear', 'Report at TLP green'])
    for (const tlp of ['clear', 'green'] as const) expect(mentions(objects, only[tlp])).toBe(true)
    for (const tlp of ['amber', 'amber+strict', 'red'] as const)
      expect(mentions(objects, only[tlp]), tlp).toBe(false)
    // Not even the markings of what is withheld.
    const markings = objects.filter((o) => o.type === 'marking-definition').map((o) => o.name)
    expect(markings.sort()).toEqual(['TLP:CLEAR', 'TLP:GREEN'])
  })

  it('leaves them out of the manifest and of every page, and answers 404 for their ids', async () => {
    const served = (await getJson<Envelope>(`${collection}/objects/`)).objects ?? []
    const manifest = await getJson<Manifest>(`${collection}/manifest/`)
    expect(new Set(manifest.objects?.map((o) => o.id))).toEqual(new Set(served.map((o) => o.id)))
    const paged = await allPages(2)
    expect(paged.map((o) => o.id).sort()).toEqual(served.map((o) => o.id).sort())
    for (const tlp of ['amber', 'amber+strict', 'red'] as const)
      expect(mentions(paged, only[tlp])).toBe(false)

    // The withheld report's id, as the unfiltered collection would give it.
    const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
    try {
      const red = publishedEntries(db, 'red').find(
        (e) => e.object.type === 'report' && e.object.name === 'Report at TLP red',
      )!
      const response = await fetch(`${host.api}${collection}/objects/${red.id}/`, {
        headers: { authorization: `Bearer ${TOKEN}`, accept: TAXII_MEDIA_TYPE },
      })
      expect(response.status).toBe(404)
    } finally {
      db.close()
    }
  })

  it('moves with the ceiling: each level shares itself and what is below it', () => {
    const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
    try {
      const names = (max: Tlp) =>
        publishedEntries(db, max)
          .filter((e) => e.object.type === 'report')
          .map((e) => e.object.name as string)
          .sort()
      expect(names('clear')).toEqual(['Report at TLP clear'])
      expect(names('amber')).toEqual(['Report at TLP amber', 'Report at TLP clear', 'Report at TLP green'])
      expect(names('red')).toHaveLength(5)
    } finally {
      db.close()
    }
  })
})
