import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeadLetter, IngestToken, StoredEvent } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk, storedEventsWith } from '../host/test-core'
import { splitConcatenatedJson } from './concatenated-json'

let core: Core
let dataDir: string
let token: string
let base: string
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-hec-'))
  core = await createCore({ dataDir, ephemeralPorts: true })
  const tokens = await core.call('tokens:list', {})
  if (!tokens.ok) throw new Error(tokens.error.message)
  token = (tokens.value as { tokens: IngestToken[] }).tokens.find((t) => t.name === 'default')!.token
  base = `http://127.0.0.1:${core.listeners.hec!.port}`
})
afterAll(async () => {
  await core.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const hec = async (path: string, body: string | Buffer, headers: Record<string, string> = {}) => {
  const response = await fetch(base + path, {
    method: 'POST',
    body,
    headers: { authorization: `Splunk ${token}`, ...headers },
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}
const call = <T>(name: string, req: unknown): Promise<T> => callOk<T>(core, name, req)
const eventsWith = (needle: string): Promise<StoredEvent[]> => storedEventsWith(core, needle)

describe('Splunk HEC listener', () => {
  it('says it is healthy', async () => {
    const response = await fetch(`${base}/services/collector/health`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ text: 'HEC is healthy', code: 17 })
  })

  it('takes concatenated events with Splunk metadata, answering only once they are stored', async () => {
    const body =
      '{"time":1763805600.5,"host":"dc01","sourcetype":"WinEventLog","event":{"EventID":4625,"message":"hec-batch failed logon"}}' +
      '{"event":"hec-batch plain text","host":"fw01","fields":{"site":"north"}}\n' +
      ' {"event":{"message":"hec-batch {braces} \\"quoted\\""}}'
    const { status, body: answer } = await hec('/services/collector/event', body)
    expect([status, answer]).toEqual([200, { text: 'Success', code: 0 }])
    const stored = await eventsWith('hec-batch')
    expect(stored).toHaveLength(3)
    const logon = stored.find((e) => e.message === 'hec-batch failed logon')!
    expect(logon.timestamp).toBe('2025-11-22T10:00:00.500Z')
    expect(logon.host).toBe('dc01')
    expect(logon.fields).toMatchObject({
      EventID: 4625,
      hec: { sourcetype: 'WinEventLog', token: 'default' },
    })
    expect(stored.find((e) => e.message === 'hec-batch plain text')?.fields).toMatchObject({
      hec: { fields: { site: 'north' } },
    })
  })

  it.each([
    ['no token', {}, 401, 2],
    ['an unknown token', { authorization: 'Splunk 00000000-0000-0000-0000-000000000000' }, 403, 4],
    ['a malformed header', { authorization: 'Splunk' }, 401, 3],
  ])('refuses %s with HEC code', async (_name, headers, status, code) => {
    const response = await fetch(`${base}/services/collector/event`, {
      method: 'POST',
      body: '{"event":"x"}',
      headers,
    })
    expect(response.status).toBe(status)
    expect(((await response.json()) as { code: number }).code).toBe(code)
  })

  it('refuses a revoked token (code 1) and query-string tokens (code 16)', async () => {
    const { token: revoked } = await call<{ token: IngestToken }>('tokens:create', { name: 'soon-revoked' })
    await call('tokens:revoke', { id: 'soon-revoked' })
    const response = await fetch(`${base}/services/collector/event`, {
      method: 'POST',
      body: '{"event":"x"}',
      headers: { authorization: `Splunk ${revoked.token}` },
    })
    expect([response.status, ((await response.json()) as { code: number }).code]).toEqual([403, 1])
    const query = await fetch(`${base}/services/collector/event?token=${token}`, {
      method: 'POST',
      body: '{"event":"x"}',
    })
    expect([query.status, ((await query.json()) as { code: number }).code]).toEqual([400, 16])
  })

  it('hands out ackIds per channel and confirms them, since they are durable on reply', async () => {
    const channel = '0f0e0d0c-0b0a-4908-8706-050403020100'
    const first = await hec('/services/collector/event', '{"event":"ack-1"}', {
      'x-splunk-request-channel': channel,
    })
    const second = await hec(`/services/collector/event?channel=${channel}`, '{"event":"ack-2"}')
    expect([first.body.ackId, second.body.ackId]).toEqual([0, 1])
    const acks = await hec('/services/collector/ack', '{"acks":[0,1,2]}', {
      'x-splunk-request-channel': channel,
    })
    expect(acks.body).toEqual({ acks: { '0': true, '1': true, '2': false } })
    expect((await hec('/services/collector/ack', '{"acks":[0]}')).body).toMatchObject({ code: 10 })
    expect(
      (await hec('/services/collector/event', '{"event":"x"}', { 'x-splunk-request-channel': 'nope' })).body,
    ).toMatchObject({ code: 11 })
  })

  it('takes raw lines with metadata from the query string, and gzip bodies', async () => {
    const raw = await hec(
      '/services/collector/raw?host=edge1&sourcetype=syslog',
      'hec-raw one\r\nhec-raw two\n\n',
    )
    expect(raw.status).toBe(200)
    const stored = await eventsWith('hec-raw')
    expect(stored.map((e) => e.message).sort()).toEqual(['hec-raw one', 'hec-raw two'])
    expect(stored[0]!.host).toBe('edge1')
    const zipped = await hec('/services/collector/event', gzipSync('{"event":"hec-gzip"}'), {
      'content-encoding': 'gzip',
    })
    expect(zipped.status).toBe(200)
    expect(await eventsWith('hec-gzip')).toHaveLength(1)
  })

  it('stores the good events of a batch and keeps the bad ones as dead letters', async () => {
    const mixed = await hec(
      '/services/collector/event',
      '{"event":"hec-mixed good"}{"host":"no event"}{"event":""}{"event":"hec-mixed also good"}',
    )
    expect(mixed.status).toBe(200)
    expect(await eventsWith('hec-mixed')).toHaveLength(2)
    const { dead_letters } = await call<{ dead_letters: DeadLetter[] }>('collector:dead-letters', {
      limit: 10,
    })
    expect(dead_letters.map((d) => d.reason)).toEqual(
      expect.arrayContaining([
        'event 1: the "event" field is required',
        'event 2: the "event" field cannot be blank',
      ]),
    )
    const allBad = await hec('/services/collector/event', '{"host":"x"}')
    expect([allBad.status, allBad.body.code, allBad.body['invalid-event-number']]).toEqual([400, 12, 0])
    expect((await hec('/services/collector/event', '{"event": nope}')).body.code).toBe(6)
    expect((await hec('/services/collector/event', '')).body.code).toBe(5)
  })

  it('works with curl, as operators test it', async () => {
    // Async: the collector runs in this process, a blocking spawn would starve it.
    const { stdout: out } = await promisify(execFile)(
      'curl',
      [
        '-s',
        '-H',
        `Authorization: Splunk ${token}`,
        '-d',
        '{"event":"hec-curl hello","sourcetype":"manual"}',
        `${base}/services/collector/event`,
      ],
      { encoding: 'utf8', timeout: 5000 },
    )
    expect(JSON.parse(out)).toEqual({ text: 'Success', code: 0 })
  })
})

describe('splitConcatenatedJson', () => {
  it.each([
    ['{"a":1}{"b":2}', ['{"a":1}', '{"b":2}'], null],
    ['{"a":"}{"} \n {"b":[1,{"c":2}]}', ['{"a":"}{"}', '{"b":[1,{"c":2}]}'], null],
    ['{"a":"\\"}"}', ['{"a":"\\"}"}'], null],
    ['{"a":1} x', ['{"a":1}'], /expected '\{' at character 9/],
    ['{"a":1', [], /unterminated JSON object starting at character 1/],
  ])('%j', (body, pieces, error) => {
    const result = splitConcatenatedJson(body)
    expect(result.pieces.map((p) => p.text)).toEqual(pieces)
    if (error) expect(result.error).toMatch(error)
    else expect(result.error).toBeNull()
  })
})
