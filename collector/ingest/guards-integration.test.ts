import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CallRes, IngestToken } from '../contract'
import { createCore, type Core } from '../host/create-core'

const dirs: string[] = []
const cores: Core[] = []
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.stop()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const withConfig = async (yaml: string): Promise<Core> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-guard-'))
  dirs.push(dataDir)
  writeFileSync(join(dataDir, 'config.yaml'), yaml)
  const core = await createCore({ dataDir, ephemeralPorts: true })
  cores.push(core)
  return core
}
const sources = async (core: Core) => {
  const stats = await core.call('collector:stats', {})
  if (!stats.ok) throw new Error(stats.error.message)
  return (stats.value as CallRes<'collector:stats'>).sources
}

describe('listener guards', () => {
  it('refuses to start a listener open to the network with no allowlist, token or TLS', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-guard-'))
    dirs.push(dataDir)
    writeFileSync(join(dataDir, 'config.yaml'), 'listeners:\n  syslog_udp:\n    host: 0.0.0.0\n')
    await expect(createCore({ dataDir, ephemeralPorts: true })).rejects.toThrow(
      /listeners\.syslog_udp\.host is 0\.0\.0\.0, reachable from the network.*set listeners\.syslog_udp\.allow_cidrs/,
    )
    writeFileSync(
      join(dataDir, 'config.yaml'),
      'listeners:\n  syslog_udp:\n    host: 0.0.0.0\n    allow_cidrs: [127.0.0.0/8]\n',
    )
    cores.push(await createCore({ dataDir, ephemeralPorts: true }))
  })

  it('names a bad CIDR in the config', async () => {
    await expect(withConfig('listeners:\n  http:\n    allow_cidrs: [10.0.0.0/99]\n')).rejects.toThrow(
      /listeners\.http\.allow_cidrs\.0: "10\.0\.0\.0\/99": the prefix length must be 0-32/,
    )
  })

  it('turns away peers outside allow_cidrs on TCP and HTTP, and counts them', async () => {
    const core = await withConfig(
      'listeners:\n  http:\n    allow_cidrs: [10.0.0.0/8]\n  syslog_tcp:\n    allow_cidrs: [192.168.0.0/16]\n',
    )
    // Raw sockets: the peer is dropped at connect (fetch would keep retrying a reset connection).
    const refusedOn = async (port: number, bytes: string): Promise<void> => {
      const socket = connect(port, '127.0.0.1')
      socket.on('error', () => {})
      socket.write(bytes)
      await new Promise((resolve) => socket.on('close', resolve))
    }
    await refusedOn(core.listeners.syslog_tcp!.port, '<13>1 - - - - - - hello\n')
    await refusedOn(
      core.listeners.http!.port,
      'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{"a":1}',
    )
    const refused = (await sources(core)).filter((s) => s.last_error === 'peer not in allow_cidrs')
    expect(refused.map((s) => s.listener).sort()).toEqual(['http', 'syslog_tcp'])
    expect(await core.call('events:list', {})).toMatchObject({ ok: true, value: { total: 0 } })
  })

  it('requires an ingest token on the JSON listener when configured', async () => {
    const core = await withConfig('listeners:\n  http:\n    require_token: true\n')
    const url = `http://127.0.0.1:${core.listeners.http!.port}/v1/events`
    const without = await fetch(url, { method: 'POST', body: '{"a":1}' })
    expect(without.status).toBe(401)
    expect(((await without.json()) as { error: string }).error).toMatch(/missing ingest token/)
    const tokens = await core.call('tokens:list', {})
    if (!tokens.ok) throw new Error(tokens.error.message)
    const token = (tokens.value as { tokens: IngestToken[] }).tokens[0]!.token
    const withToken = await fetch(url, {
      method: 'POST',
      body: '{"a":1}',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(withToken.status).toBe(200)
  })

  it('answers 429 with Retry-After past a source rate limit, and slows TCP without dropping', async () => {
    const core = await withConfig(
      'listeners:\n  http:\n    rate_limit_eps: 10\n  syslog_tcp:\n    rate_limit_eps: 50\n',
    )
    const url = `http://127.0.0.1:${core.listeners.http!.port}/v1/events`
    const ten = Array.from({ length: 10 }, (_, i) => JSON.stringify({ i })).join('\n')
    expect((await fetch(url, { method: 'POST', body: ten })).status).toBe(200)
    const over = await fetch(url, { method: 'POST', body: ten })
    expect(over.status).toBe(429)
    expect(over.headers.get('retry-after')).toBe('1')

    const socket = connect(core.listeners.syslog_tcp!.port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    const started = Date.now()
    for (let i = 0; i < 100; i++) socket.write(`<13>1 - - - - - - slow ${i}\n`)
    await new Promise<void>((resolve) => socket.end(resolve))
    for (;;) {
      const list = await core.call('events:list', { limit: 1 })
      if (list.ok && (list.value as { total: number }).total >= 110) break
      await new Promise((r) => setTimeout(r, 50))
    }
    // 100 events at 50/s with a 50-event burst: about a second, all of them stored.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  })

  it('tells HEC clients over their rate that the server is busy (code 9), with Retry-After', async () => {
    const core = await withConfig('listeners:\n  hec:\n    rate_limit_eps: 5\n')
    const tokens = await core.call('tokens:list', {})
    if (!tokens.ok) throw new Error(tokens.error.message)
    const token = (tokens.value as { tokens: IngestToken[] }).tokens[0]!.token
    const send = () =>
      fetch(`http://127.0.0.1:${core.listeners.hec!.port}/services/collector/event`, {
        method: 'POST',
        headers: { authorization: `Splunk ${token}` },
        body: '{"event":"a"}{"event":"b"}{"event":"c"}',
      })
    expect((await send()).status).toBe(200)
    const busy = await send()
    expect(busy.status).toBe(503)
    expect(busy.headers.get('retry-after')).toBe('1')
    expect(await busy.json()).toEqual({ text: 'Server is busy', code: 9 })
  })
})
