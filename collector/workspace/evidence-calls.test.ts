import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes, EventName, Incident } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk, raiseAlerts } from '../host/test-core'
import { newUpload } from '../host/uploads'
import { readManifest } from './export/package'

const LIMIT = 4096
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex')

describe('incident evidence, filters and operations', () => {
  let core: Core
  let dataDir: string
  let incident: Incident
  let other: Incident
  const pushed: Array<[EventName, unknown]> = []
  const evidenceDir = (): string => join(dataDir, 'evidence')
  const storedFiles = (): string[] => (existsSync(evidenceDir()) ? readdirSync(evidenceDir()).sort() : [])
  const auditCount = async (): Promise<number> =>
    (await callOk<CallRes<'audit:list'>>(core, 'audit:list', { limit: 1000 })).entries.length

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-evidence-'))
    writeFileSync(join(dataDir, 'config.yaml'), `storage:\n  max_evidence_bytes: ${LIMIT}\n`)
    core = await createCore({ dataDir, ephemeralPorts: true })
    // Only what this file is about: audit:appended and the rest come too.
    core.subscribe((name, payload) => {
      if (name === 'incidents:changed') pushed.push([name, payload])
    })
    const alerts = await raiseAlerts(core, ['ws-1', 'ws-2'])
    incident = (
      await callOk<CallRes<'alerts:escalate'>>(core, 'alerts:escalate', {
        ids: [alerts[0]!.id],
        title: 'Evidence case on ws',
      })
    ).incident
    other = (
      await callOk<CallRes<'alerts:escalate'>>(core, 'alerts:escalate', {
        ids: [alerts[1]!.id],
        title: 'Second case',
      })
    ).incident
    expect(pushed).toContainEqual(['incidents:changed', { id: incident.id }])
  })
  afterAll(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('attaches inline bytes: content-addressed, digest right, round trip by evidence:get, on the timeline', async () => {
    pushed.length = 0
    const text = 'net user /domain\n'
    const { evidence } = await callOk<CallRes<'incidents:attach'>>(core, 'incidents:attach', {
      id: incident.id,
      content_base64: Buffer.from(text).toString('base64'),
      name: 'commands.txt',
      note: 'from the shell history',
    })
    expect(evidence).toMatchObject({
      incident_id: incident.id,
      name: 'commands.txt',
      media_type: 'text/plain',
      size: text.length,
      sha256: sha256(text),
      note: 'from the shell history',
    })
    expect(storedFiles()).toEqual([sha256(text)])
    expect(pushed).toEqual([['incidents:changed', { id: incident.id }]])
    const got = await callOk<CallRes<'evidence:get'>>(core, 'evidence:get', { id: evidence.id })
    expect(Buffer.from(got.content_base64, 'base64').toString()).toBe(text)
    expect(got.evidence).toEqual(evidence)
    const detail = await callOk<CallRes<'incidents:get'>>(core, 'incidents:get', { id: incident.id })
    expect(detail.evidence).toEqual([evidence])
    const entry = detail.timeline.find((t) => t.kind === 'evidence')
    expect(entry).toMatchObject({ ref: evidence.id })
    expect(entry!.text).toContain(sha256(text))
    // The attach is audited but shows once, as evidence, not again as an action.
    expect(detail.timeline.filter((t) => t.text.includes('attach'))).toHaveLength(1)

    // The same bytes again: the same attachment, no new row, file or audit entry.
    const before = await auditCount()
    const again = await callOk<CallRes<'incidents:attach'>>(core, 'incidents:attach', {
      id: incident.id,
      content_base64: Buffer.from(text).toString('base64'),
      name: 'copy.txt',
    })
    expect(again.evidence).toEqual(evidence)
    expect(await auditCount()).toBe(before)
    expect(storedFiles()).toEqual([sha256(text)])
  })

  it('copies a path (the original stays) and moves an upload in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-evidence-src-'))
    try {
      const path = join(dir, 'capture.pcap')
      const bytes = new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0])
      writeFileSync(path, bytes)
      const byPath = await callOk<CallRes<'incidents:attach'>>(core, 'incidents:attach', {
        id: incident.id,
        path,
      })
      expect(byPath.evidence).toMatchObject({
        name: 'capture.pcap',
        media_type: 'application/vnd.tcpdump.pcap',
        sha256: sha256(bytes),
        size: 8,
      })
      expect(existsSync(path)).toBe(true)

      const uploads = join(dataDir, 'uploads')
      mkdirSync(uploads, { recursive: true })
      const upload = newUpload(uploads, 'strange.bin')
      writeFileSync(upload.path, 'MZ\x90\x00upload')
      const byUpload = await callOk<CallRes<'incidents:attach'>>(core, 'incidents:attach', {
        id: incident.id,
        upload_id: upload.id,
        name: 'dropper.exe',
      })
      expect(byUpload.evidence).toMatchObject({
        name: 'dropper.exe',
        media_type: 'application/vnd.microsoft.portable-executable',
        sha256: sha256(Buffer.from('MZ\x90\x00upload')),
      })
      expect(readdirSync(uploads)).toEqual([])
      // An upload is taken once.
      expect(
        await core.call('incidents:attach', { id: incident.id, upload_id: upload.id, name: 'again' }),
      ).toMatchObject({ ok: false, error: { code: 'not_found' } })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses oversize files, missing paths and unknown incidents, writing nothing', async () => {
    const files = storedFiles()
    const audit = await auditCount()
    const rows = (await callOk<CallRes<'incidents:get'>>(core, 'incidents:get', { id: incident.id })).evidence
    const big = Buffer.alloc(LIMIT + 1, 7).toString('base64')
    const oversize = await core.call('incidents:attach', {
      id: incident.id,
      content_base64: big,
      name: 'big.bin',
    })
    expect(oversize).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    if (!oversize.ok) {
      expect(oversize.error.message).toContain(`${LIMIT + 1} bytes`)
      expect(oversize.error.message).toContain(`${LIMIT} bytes`)
    }
    const dir = mkdtempSync(join(tmpdir(), 'outpost-evidence-big-'))
    try {
      const path = join(dir, 'big.log')
      writeFileSync(path, Buffer.alloc(LIMIT * 2))
      const refused = await core.call('incidents:attach', { id: incident.id, path })
      expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
      expect(refused.ok || refused.error.message).toContain(String(LIMIT * 2))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    const missing = '/nonexistent/outpost/evidence.txt'
    const gone = await core.call('incidents:attach', { id: incident.id, path: missing })
    expect(gone).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    expect(gone.ok || gone.error.message).toContain(missing)
    expect(
      await core.call('incidents:attach', { id: 'nope', content_base64: 'aGk=', name: 'hi.txt' }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(await core.call('evidence:get', { id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    expect(storedFiles()).toEqual(files)
    expect(readdirSync(evidenceDir()).filter((f) => f.startsWith('.tmp'))).toEqual([])
    expect(await auditCount()).toBe(audit)
    expect(
      (await callOk<CallRes<'incidents:get'>>(core, 'incidents:get', { id: incident.id })).evidence,
    ).toEqual(rows)
  })

  it('exports the package with the evidence files and their SHA-256 in the manifest; HTML and Markdown list them', async () => {
    const { evidence } = await callOk<CallRes<'incidents:get'>>(core, 'incidents:get', { id: incident.id })
    expect(evidence.length).toBe(3)
    const pkg = await callOk<CallRes<'incidents:export'>>(core, 'incidents:export', {
      id: incident.id,
      format: 'package',
    })
    const entries = unzipSync(Buffer.from(pkg.content_base64!, 'base64'))
    const manifest = readManifest(entries['manifest.json']!)
    expect(manifest.evidence.map((e) => [e.name, e.sha256, e.verified])).toEqual(
      evidence.map((e) => [e.name, e.sha256, true]),
    )
    for (const e of manifest.evidence) expect(sha256(entries[e.path!]!)).toBe(e.sha256)
    for (const format of ['md', 'html'] as const) {
      const exported = await callOk<CallRes<'incidents:export'>>(core, 'incidents:export', {
        id: incident.id,
        format,
      })
      const text = Buffer.from(exported.content_base64!, 'base64').toString()
      for (const e of evidence) expect(text).toContain(e.sha256)
      expect(text).toContain('Evidence')
    }
  })

  it('filters incidents:list by text, status, assignee, severity and operation', async () => {
    const { operation } = await callOk<CallRes<'operations:create'>>(core, 'operations:create', {
      name: 'Op Evidence',
    })
    pushed.length = 0
    const { incident: linked } = await callOk<CallRes<'incidents:update'>>(core, 'incidents:update', {
      id: other.id,
      operation_id: operation.id,
      assignee: 'carol',
      status: 'triage',
    })
    expect(linked.operation_id).toBe(operation.id)
    expect(pushed).toEqual([['incidents:changed', { id: other.id }]])
    const unknown = await core.call('incidents:update', { id: other.id, operation_id: 'no-such-operation' })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(unknown.ok || unknown.error.message).toContain('no operation with id no-such-operation')

    const list = async (filter: Record<string, unknown>): Promise<string[]> =>
      (await callOk<CallRes<'incidents:list'>>(core, 'incidents:list', filter)).incidents.map((i) => i.id)
    expect(await list({})).toEqual([other.id, incident.id])
    expect(await list({ query: 'evidence CASE' })).toEqual([incident.id])
    expect(await list({ query: other.id.slice(-12).toUpperCase() })).toEqual([other.id])
    expect(await list({ query: 'caro' })).toEqual([other.id])
    expect(await list({ status: 'triage' })).toEqual([other.id])
    expect(await list({ status: 'new' })).toEqual([incident.id])
    expect(await list({ assignee: 'carol' })).toEqual([other.id])
    expect(await list({ severity: 'medium' })).toEqual([other.id, incident.id])
    expect(await list({ severity: 'low' })).toEqual([])
    expect(await list({ operation_id: operation.id })).toEqual([other.id])
    expect(await list({ operation_id: operation.id, status: 'new' })).toEqual([])

    const { incident: unlinked } = await callOk<CallRes<'incidents:update'>>(core, 'incidents:update', {
      id: other.id,
      operation_id: null,
    })
    expect(unlinked.operation_id).toBeNull()
    expect(await callOk<CallRes<'audit:verify'>>(core, 'audit:verify', {})).toMatchObject({ intact: true })
  })

  it('pushes incidents:changed after comments and observables', async () => {
    pushed.length = 0
    await callOk(core, 'incidents:comment', { id: incident.id, body: '**bold** note' })
    await callOk(core, 'incidents:observe', {
      id: incident.id,
      observables: [{ type: 'host', value: 'ws-1' }],
    })
    expect(pushed.filter(([name]) => name === 'incidents:changed')).toEqual([
      ['incidents:changed', { id: incident.id }],
      ['incidents:changed', { id: incident.id }],
    ])
  })
})

describe('evidence:get on a big file', () => {
  it('refuses over 32 MB, pointing at the package export', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-evidence-big-'))
    const core = await createCore({ dataDir, ephemeralPorts: true })
    try {
      const [alert] = await raiseAlerts(core, ['ws-9'])
      const { incident } = await callOk<CallRes<'alerts:escalate'>>(core, 'alerts:escalate', {
        ids: [alert!.id],
        title: 'Big evidence',
      })
      const path = join(dataDir, 'memory.dmp')
      writeFileSync(path, '')
      truncateSync(path, 33 * 1024 * 1024) // sparse: quick to make, 33 MB to read
      const { evidence } = await callOk<CallRes<'incidents:attach'>>(core, 'incidents:attach', {
        id: incident.id,
        path,
      })
      expect(evidence.size).toBe(33 * 1024 * 1024)
      const refused = await core.call('evidence:get', { id: evidence.id })
      expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
      expect(refused.ok || refused.error.message).toMatch(/memory\.dmp is 34603008 bytes.*package/)
    } finally {
      await core.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
