import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Alert, CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk, raiseAlert } from '../host/test-core'
import { loadStixSchemas, validateStixBundle } from './export/stix-validate'

const STIX_SCHEMAS = fileURLToPath(new URL('../../../shared/stix/schemas', import.meta.url))

describe('incidents as cases', () => {
  let core: Core
  let dataDir: string
  let alert: Alert
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-cases-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
    alert = await raiseAlert(core, 'ws-9')
  })
  afterAll(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('escalates an alert, then takes comments, observables and status moves into one timeline', async () => {
    const { incident } = await callOk<CallRes<'alerts:escalate'>>(core, 'alerts:escalate', {
      ids: [alert.id],
      title: 'whoami on ws-9',
    })
    expect(incident).toMatchObject({ status: 'new', tlp: 'amber', pap: 'amber', assignee: null })
    await callOk(core, 'incidents:update', { id: incident.id, status: 'triage', assignee: 'alice' })
    await callOk(core, 'incidents:comment', { id: incident.id, body: 'Admin says it was not them.' })
    const { added } = await callOk<CallRes<'incidents:observe'>>(core, 'incidents:observe', {
      id: incident.id,
      observables: [
        { type: 'host', value: 'ws-9' },
        { type: 'user', value: 'CORP\\bob', note: 'logged on' },
      ],
    })
    expect(added).toBe(2)
    const again = await callOk<CallRes<'incidents:observe'>>(core, 'incidents:observe', {
      id: incident.id,
      observables: [{ type: 'host', value: 'ws-9' }],
    })
    expect(again.added).toBe(0)
    const detail = await callOk<CallRes<'incidents:get'>>(core, 'incidents:get', { id: incident.id })
    expect(detail.incident).toMatchObject({ status: 'triage', assignee: 'alice', alert_count: 1 })
    expect(detail.alerts.map((a) => a.id)).toEqual([alert.id])
    expect(detail.comments.map((c) => c.body)).toEqual(['Admin says it was not them.'])
    expect(detail.observables.map((o) => `${o.type}:${o.value}`)).toEqual(['host:ws-9', 'user:CORP\\bob'])
    // The event behind the alert first (same time, it came first), then the alert, then what was done.
    expect(detail.timeline.map((t) => t.kind)).toEqual([
      'event',
      'alert',
      'action',
      'comment',
      'action',
      'action',
    ])
    expect(detail.timeline[0]).toMatchObject({
      kind: 'event',
      ref: alert.event_ids[0],
      text: expect.stringMatching(/^ws-9: /) as unknown,
    })
    expect(detail.timeline[1]!.text).toMatch(/medium alert: Test Whoami on ws-9/)
    expect(detail.timeline[2]!.text).toMatch(/status .*assignee: alice.*status: triage|status: triage/)
  })

  it('refuses moving a case backwards, unknown ids and bad observables, writing nothing', async () => {
    const { incidents } = await callOk<CallRes<'incidents:list'>>(core, 'incidents:list', {})
    const id = incidents[0]!.id
    await callOk(core, 'incidents:update', { id, status: 'contained' })
    expect(await core.call('incidents:update', { id, status: 'triage' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    })
    await callOk(core, 'incidents:update', { id, status: 'closed' })
    await callOk(core, 'incidents:update', { id, status: 'triage' }) // reopened
    expect(await core.call('incidents:get', { id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    const before = (await callOk<CallRes<'incidents:get'>>(core, 'incidents:get', { id })).observables.length
    const bad = await core.call('incidents:observe', {
      id,
      observables: [
        { type: 'domain', value: 'fine.example' },
        { type: 'sha1', value: 'nope' },
      ],
    })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    expect((await callOk<CallRes<'incidents:get'>>(core, 'incidents:get', { id })).observables).toHaveLength(
      before,
    )
    expect(await core.call('incidents:comment', { id, body: '   ' })).toMatchObject({ ok: false })
    expect(await callOk<CallRes<'audit:verify'>>(core, 'audit:verify', {})).toMatchObject({ intact: true })
  })

  it('exports an incident with its timeline: STIX the OASIS schemas accept, HTML with the comment', async () => {
    const { incidents } = await callOk<CallRes<'incidents:list'>>(core, 'incidents:list', {})
    const id = incidents[0]!.id
    const stix = await callOk<CallRes<'incidents:export'>>(core, 'incidents:export', { id, format: 'stix' })
    const bundle = JSON.parse(Buffer.from(stix.content_base64!, 'base64').toString()) as {
      objects: Array<{ type: string }>
    }
    expect(validateStixBundle(bundle, loadStixSchemas(STIX_SCHEMAS))).toEqual({ valid: true, errors: [] })
    expect(bundle.objects.map((o) => o.type)).toEqual(
      expect.arrayContaining(['incident', 'report', 'indicator']),
    )
    // The description (markdown) is part of the case and of its export.
    const { incident } = await callOk<CallRes<'incidents:update'>>(core, 'incidents:update', {
      id,
      description: 'Lateral movement **suspected**.',
    })
    expect(incident.description).toBe('Lateral movement **suspected**.')
    const html = await callOk<CallRes<'incidents:export'>>(core, 'incidents:export', { id, format: 'html' })
    const page = Buffer.from(html.content_base64!, 'base64').toString()
    expect(page).toContain('Lateral movement <strong>suspected</strong>.')
    expect(page).toContain('Admin says it was not them.')
    expect(page).toContain('Test Whoami')
    expect(await core.call('incidents:export', { id: 'nope', format: 'md' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
  })

  it('removes an observable and retracts a comment: audited without the text, on the timeline, out of every export', async () => {
    const { incidents } = await callOk<CallRes<'incidents:list'>>(core, 'incidents:list', {})
    const id = incidents[0]!.id
    await callOk(core, 'incidents:observe', {
      id,
      observables: [
        { type: 'ipv4', value: '203.0.113.77' },
        { type: 'domain', value: 'wrong.example' },
      ],
    })
    const { comment } = await callOk<CallRes<'incidents:comment'>>(core, 'incidents:comment', {
      id,
      body: 'The password is hunter2-secret.',
    })
    await callOk(core, 'incidents:comment', { id, body: 'Kept comment.' })
    const { removal } = await callOk<CallRes<'incidents:unobserve'>>(core, 'incidents:unobserve', {
      id,
      type: 'domain',
      value: 'wrong.example',
    })
    expect(removal).toMatchObject({
      part: 'observables',
      key: 'domain:wrong.example',
      actor: expect.any(String) as unknown,
    })
    const retracted = await callOk<CallRes<'incidents:retract'>>(core, 'incidents:retract', {
      id,
      comment_id: comment.id,
    })
    expect(retracted.comment).toMatchObject({ id: comment.id, body: '', retracted: { actor: removal.actor } })
    // Permanent: again answers the same tombstone, with no second audit entry.
    const twice = await callOk<CallRes<'incidents:retract'>>(core, 'incidents:retract', {
      id,
      comment_id: comment.id,
    })
    expect(twice.comment).toEqual(retracted.comment)

    const detail = await callOk<CallRes<'incidents:get'>>(core, 'incidents:get', { id })
    expect(detail.observables.map((o) => `${o.type}:${o.value}`)).toEqual([
      'host:ws-9',
      'ipv4:203.0.113.77',
      'user:CORP\\bob',
    ])
    expect(detail.comments.map((c) => c.body)).toEqual(['Admin says it was not them.', '', 'Kept comment.'])
    expect(detail.removed.map((r) => `${r.part}|${r.key}`)).toEqual([
      'observables|domain:wrong.example',
      `comments|${comment.id}`,
    ])
    const texts = detail.timeline.map((t) => t.text)
    expect(texts).toContain(`${removal.actor} removed observable domain wrong.example`)
    expect(texts.filter((t) => t.includes('retracted a comment'))).toHaveLength(1)
    expect(JSON.stringify(detail)).not.toContain('hunter2')
    // The audit log keeps the fact (whose comment, who retracted it), never the text.
    const entries = (await callOk<CallRes<'audit:list'>>(core, 'audit:list', { limit: 1000 })).entries.filter(
      (e) => e.object_id === id,
    )
    const retract = entries.filter((e) => e.action === 'retract')
    expect(retract).toHaveLength(1)
    expect(retract[0]!.details).toEqual({ comment: comment.id, author: comment.actor })
    expect(entries.find((e) => e.action === 'unobserve')?.details).toEqual({
      type: 'domain',
      value: 'wrong.example',
    })
    expect(JSON.stringify(entries)).not.toContain('hunter2')

    for (const format of ['stix', 'html', 'md', 'csv', 'misp'] as const) {
      const out = await callOk<CallRes<'incidents:export'>>(core, 'incidents:export', { id, format })
      const text = Buffer.from(out.content_base64!, 'base64').toString()
      expect(text, format).not.toContain('wrong.example')
      expect(text, format).not.toContain('hunter2')
      if (format === 'html' || format === 'md') expect(text, format).toContain('Kept comment.')
    }
    const md = await callOk<CallRes<'incidents:export'>>(core, 'incidents:export', { id, format: 'md' })
    expect(Buffer.from(md.content_base64!, 'base64').toString()).toMatch(/comment retracted by \S+ at /)

    // Added again after its removal: a new add, shown again.
    const { added } = await callOk<CallRes<'incidents:observe'>>(core, 'incidents:observe', {
      id,
      observables: [{ type: 'domain', value: 'wrong.example' }],
    })
    expect(added).toBe(1)
    const back = await callOk<CallRes<'incidents:get'>>(core, 'incidents:get', { id })
    expect(back.observables.map((o) => o.value)).toContain('wrong.example')
    expect(Date.parse(back.observables.find((o) => o.value === 'wrong.example')!.added_at!)).toBeGreaterThan(
      Date.parse(removal.upto!),
    )

    // Refusals name what is missing and change nothing.
    expect(await core.call('incidents:unobserve', { id, type: 'ipv4', value: '198.51.100.1' })).toMatchObject(
      {
        ok: false,
        error: { code: 'not_found', message: expect.stringContaining('198.51.100.1') as unknown },
      },
    )
    expect(await core.call('incidents:retract', { id, comment_id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    expect((await callOk<CallRes<'incidents:get'>>(core, 'incidents:get', { id })).removed).toHaveLength(2)
  })
})
