import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { unzipSync } from 'fflate'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk } from '../host/test-core'
import { readManifest, sha256Hex } from './export/package'

describe('intelligence reports through the core', () => {
  let core: Core
  let dataDir: string
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-reports-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
  })
  afterAll(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const create = () =>
    callOk<CallRes<'reports:create'>>(core, 'reports:create', {
      title: 'Recon on ws-1',
      body: '# Summary\nwhoami ran from a **web shell**.',
      tlp: 'amber',
      techniques: ['T1033', 'T1033'],
      observables: [
        { type: 'ipv4', value: '203.0.113.9' },
        { type: 'sha256', value: 'a'.repeat(64), note: 'dropper' },
      ],
    })

  it('creates a draft at version 1 with its observables once each, and lists it', async () => {
    const { report } = await create()
    expect(report).toMatchObject({ status: 'draft', version: 1, tlp: 'amber', techniques: ['T1033'] })
    expect(report.observables.map((o) => [o.type, o.value, o.note])).toEqual([
      ['ipv4', '203.0.113.9', null],
      ['sha256', 'a'.repeat(64), 'dropper'],
    ])
    const { reports, total } = await callOk<CallRes<'reports:list'>>(core, 'reports:list', { query: 'recon' })
    expect(total).toBe(1)
    expect(reports[0]).toMatchObject({ id: report.id, observables: 2 })
  })

  it('refuses a bad observable, naming it and saying why, and writes nothing', async () => {
    const before = (await callOk<CallRes<'reports:list'>>(core, 'reports:list', {})).total
    const result = await core.call('reports:create', {
      title: 'x',
      observables: [
        { type: 'ipv4', value: '10.0.0.1' },
        { type: 'md5', value: 'not-a-hash' },
      ],
    })
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_request')
      expect(result.error.message).toMatch(/observables\.1 \(md5 "not-a-hash"\)/)
    }
    expect((await core.call('reports:create', { title: '  ' })).ok).toBe(false)
    expect((await callOk<CallRes<'reports:list'>>(core, 'reports:list', {})).total).toBe(before)
  })

  it('moves draft -> review -> published, refuses skipping review and stale versions', async () => {
    const { report } = await create()
    const skip = await core.call('reports:update', { id: report.id, version: 1, status: 'published' })
    expect(skip).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    const review = await callOk<CallRes<'reports:update'>>(core, 'reports:update', {
      id: report.id,
      version: 1,
      status: 'review',
      body: 'edited',
    })
    expect(review.report).toMatchObject({ status: 'review', version: 2, body: 'edited' })
    const stale = await core.call('reports:update', { id: report.id, version: 1, title: 'late edit' })
    expect(stale).toMatchObject({ ok: false, error: { code: 'conflict' } })
    const published = await callOk<CallRes<'reports:update'>>(core, 'reports:update', {
      id: report.id,
      version: 2,
      status: 'published',
    })
    expect(published.report.status).toBe('published')
    expect(await core.call('reports:get', { id: 'report--nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    const { entries } = await callOk<CallRes<'audit:list'>>(core, 'audit:list', {})
    expect(entries.filter((e) => e.object_id === report.id).map((e) => e.action)).toEqual([
      'status',
      'status',
      'create',
    ])
    expect(await callOk<CallRes<'audit:verify'>>(core, 'audit:verify', {})).toMatchObject({ intact: true })
  })

  it('exports through the contract: bytes back for the browser, a file for the desktop', async () => {
    const { report } = await create()
    const md = await callOk<CallRes<'reports:export'>>(core, 'reports:export', {
      id: report.id,
      format: 'md',
    })
    expect(md).toMatchObject({ name: 'recon-on-ws-1.md', media_type: 'text/markdown', path: null })
    expect(Buffer.from(md.content_base64!, 'base64').toString()).toContain('Recon on ws-1')
    const path = join(dataDir, 'out.stix.json')
    const stix = await callOk<CallRes<'reports:export'>>(core, 'reports:export', {
      id: report.id,
      format: 'stix',
      path,
    })
    expect(stix).toMatchObject({ path, content_base64: null })
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ type: 'bundle' })
    // The package: every format and the PDF, each file's SHA-256 in the manifest.
    const pkg = await callOk<CallRes<'reports:export'>>(core, 'reports:export', {
      id: report.id,
      format: 'package',
    })
    const files = unzipSync(Buffer.from(pkg.content_base64!, 'base64'))
    const manifest = readManifest(files['manifest.json']!)
    expect(manifest.files.map((f) => f.path).sort()).toEqual(
      expect.arrayContaining(['report.html', 'report.md', 'report.pdf', 'report.stix.json']),
    )
    for (const file of manifest.files) expect(sha256Hex(files[file.path]!)).toBe(file.sha256)
  })
})
