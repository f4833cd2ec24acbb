import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { createCore, type Core } from '../host/create-core'
import type { SourceCounters } from './source-stats'
import { makeTestPki } from './test-pki'

// syslog-ng's load generator against the collector, unpacked (not installed: it conflicts with
// rsyslog) by scripts/fetch-loggen.sh, which CI runs before the tests.
const LOGGEN = fileURLToPath(new URL('../../.cache/syslog-ng/loggen', import.meta.url))
const UNAVAILABLE = 'loggen is not unpacked: run scripts/fetch-loggen.sh (it needs a Debian mirror)'

let core: Core
let dataDir: string
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-loggen-'))
  // TLS without client certificates: loggen cannot present one.
  await makeTestPki(join(dataDir, 'tls'))
  writeFileSync(
    join(dataDir, 'config.yaml'),
    'listeners:\n  syslog_tls:\n    enabled: true\n    cert_file: tls/server.crt\n    key_file: tls/server.key\n',
  )
  core = await createCore({ dataDir, ephemeralPorts: true })
})
afterAll(async () => {
  await core.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const stored = async (listener: string): Promise<number> => {
  const stats = await core.call('collector:stats', {})
  if (!stats.ok) throw new Error(stats.error.message)
  return (stats.value as { sources: SourceCounters[] }).sources
    .filter((s) => s.listener === listener)
    .reduce((sum, s) => sum + s.events, 0)
}
/** Waits until the count stops moving for half a second (or reaches `target`). */
const settle = async (listener: string, target: number): Promise<number> => {
  let last = -1
  let stableSince = Date.now()
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    const now = await stored(listener)
    if (now >= target) return now
    if (now !== last) [last, stableSince] = [now, Date.now()]
    else if (Date.now() - stableSince > 500) return now
    await new Promise((r) => setTimeout(r, 50))
  }
  return stored(listener)
}

/** Runs loggen (asynchronously: the collector is in this process) and returns how many it sent. */
const loggen = async (args: string[], port: number): Promise<number> => {
  const { stderr } = await promisify(execFile)(
    LOGGEN,
    ['--rate', '2000', '--interval', '3', '--size', '200', ...args, '127.0.0.1', String(port)],
    { timeout: 20_000 },
  )
  // e.g. "average rate = 2464.86 msg/sec, count=7405, time=3.00422, (average) msg size=200, ..."
  const count = /average rate = [\d.]+ msg\/sec, count=(\d+)/.exec(stderr)?.[1]
  if (count === undefined) throw new Error(`no summary in loggen's output:\n${stderr}`)
  return Number(count)
}

const report = async (ctx: TestContext, line: string): Promise<void> => {
  console.info(line)
  await ctx.annotate(line)
}

describe('collector under syslog-ng loggen', () => {
  it.for<[string, string[]]>([
    ['syslog_tcp', ['--inet', '--stream']],
    ['syslog_tls', ['--use-ssl']], // the ssl plugin is TCP-only and replaces the socket one
  ])(
    '%s stores exactly what loggen sent over a stream',
    { timeout: 30_000 },
    async ([listener, flags], ctx) => {
      if (!existsSync(LOGGEN)) return ctx.skip(UNAVAILABLE)
      const sent = await loggen(flags, core.listeners[listener]!.port)
      const got = await settle(listener, sent)
      await report(ctx, `loggen ${flags.join(' ')} -> ${listener}: sent ${sent}, stored ${got}`)
      expect(sent).toBeGreaterThan(5000) // 3 s at 2000/s, give or take
      expect(got).toBe(sent)
    },
  )

  it('syslog_udp stores at least 95% of what loggen sent in datagrams', async (ctx) => {
    if (!existsSync(LOGGEN)) return ctx.skip(UNAVAILABLE)
    const sent = await loggen(['--inet', '--dgram'], core.listeners.syslog_udp!.port)
    const got = await settle('syslog_udp', sent)
    const dropped = sent - got
    await report(
      ctx,
      `loggen --inet --dgram -> syslog_udp: sent ${sent}, stored ${got}, dropped ${dropped} (${((100 * dropped) / sent).toFixed(2)}%)`,
    )
    expect(sent).toBeGreaterThan(5000)
    expect(got).toBeLessThanOrEqual(sent)
    expect(got).toBeGreaterThanOrEqual(Math.ceil(sent * 0.95))
  }, 30_000)
})
