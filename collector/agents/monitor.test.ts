import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Alert, SourceCounters } from '../contract'
import { AgentsRepo } from '../store/sqlite/agents-repo'
import { AlertsRepo } from '../store/sqlite/alerts-repo'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { findingSink } from './findings'
import { createMonitor, MONITOR_DEFAULTS, type MonitorDeps } from './monitor'

const T0 = Date.parse('2026-12-01T12:00:00Z')
const GIB = 1024 ** 3
const signal = new AbortController().signal

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const counters = (source: string, events: number, errors: number, drops = 0): SourceCounters => ({
  listener: 'syslog_udp',
  source,
  bytes: 0,
  events,
  errors,
  drops,
  last_seen: T0,
  last_error: errors ? 'bad framing' : null,
  events_per_s: 0,
})

const setup = () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-monitor-'))
  dirs.push(dir)
  const store = SqliteStore.open(join(dir, 'outpost.sqlite'), { synchronous: 'normal' })
  const alerts = new AlertsRepo(store.db)
  const pushed: Alert[] = []
  const sink = findingSink({
    db: store.db,
    alerts,
    agents: new AgentsRepo(store.db),
    raised: (a) => pushed.push(...a),
  })
  let now = T0
  const state = {
    lastEvents: [
      { source: 'fw-01', last_seen: T0 - 60_000, events: 500 },
      { source: 'ws-07', last_seen: T0 - 2 * 3600_000, events: 40 },
    ],
    free: 50 * GIB,
    stats: [counters('10.0.0.5', 100, 0)],
    up: true,
    kernel: 0,
  }
  const deps: MonitorDeps = {
    now: () => now,
    options: () => MONITOR_DEFAULTS,
    dataDir: dir,
    disk: () => Promise.resolve({ free_bytes: state.free, total_bytes: 100 * GIB }),
    listeners: () => [{ name: 'syslog_udp', up: state.up, port: 5514 }],
    queueDepth: () => 0,
    archiveLag: () => 0,
    sourceStats: () => state.stats,
    kernelDrops: () => ({ syslog_udp: state.kernel }),
    deadLettersSince: () => 0,
    heartbeats: () => [],
    lastEvents: () => state.lastEvents,
    raise: (findings) => sink('monitor', findings, now),
  }
  return {
    store,
    alerts,
    pushed,
    state,
    run: createMonitor(deps),
    tick: (ms: number) => (now += ms),
  }
}

describe('the monitor agent', () => {
  it('raises one alert per silent source while it stays silent, and again once it comes back and goes quiet', async () => {
    const { run, pushed, state, tick, store } = setup()
    try {
      const first = await run(signal)
      expect(first).toMatchObject({ outcome: 'warning', alerts: 1, summary: '1 source silent' })
      expect(pushed).toHaveLength(1)
      expect(pushed[0]).toMatchObject({
        origin: 'agent',
        rule_id: 'outpost-agent-monitor-silent-source',
        title: 'Source ws-07 silent: no event for 2 h (expected within 60 min)',
        level: 'medium',
        host: 'ws-07',
        group: { check: 'silent_source', observed_quiet_s: '7200', threshold_s: '3600', via: 'events' },
      })
      // Still silent five minutes later: held, not raised again.
      tick(300_000)
      const second = await run(signal)
      expect(second).toMatchObject({ outcome: 'warning', alerts: 0, output: { alerts_held: 1 } })
      expect(store.db.prepare('SELECT count(*) AS n FROM alerts').get()).toEqual({ n: 1 })
      // It speaks, the condition clears; it goes quiet again: a new alert.
      state.lastEvents[1]!.last_seen = T0 + 300_000
      tick(300_000)
      expect(await run(signal)).toMatchObject({ outcome: 'ok', alerts: 0 })
      expect(store.db.prepare('SELECT count(*) AS n FROM agent_conditions').get()).toEqual({ n: 0 })
      tick(2 * 3600_000)
      const fourth = await run(signal)
      expect(fourth.alerts).toBe(2) // fw-01 is quiet by now too
      expect(pushed.map((a) => a.host).sort()).toEqual(['fw-01', 'ws-07', 'ws-07'])
    } finally {
      store.close()
    }
  })

  it('judges disk space, listeners, error rates and drops with their thresholds', async () => {
    const { run, state, store } = setup()
    try {
      state.lastEvents = []
      const healthy = await run(signal)
      expect(healthy).toMatchObject({ outcome: 'ok', alerts: 0 })
      expect(healthy.summary).toBe('healthy: 0 sources reporting, 50.0 GiB free')
      state.free = 2 * GIB // 2%: under 5%, above 1 GiB
      state.up = false
      // Since the last run: 30 stored, 70 refused, 4 dropped.
      state.stats = [counters('10.0.0.5', 130, 70, 4)]
      state.kernel = 12 // datagrams lost before they were read
      const bad = await run(signal)
      expect(bad.outcome).toBe('warning')
      expect(bad.summary).toBe(
        '1 listener down, disk 2.0% free, 12 datagrams dropped by the kernel, 1 source with drops or errors',
      )
      const findings = bad.output.findings as Array<{ rule_id: string; details: Record<string, unknown> }>
      expect(findings.map((f) => f.rule_id).sort()).toEqual([
        'outpost-agent-monitor-disk-space',
        'outpost-agent-monitor-drops',
        'outpost-agent-monitor-drops',
        'outpost-agent-monitor-error-rate',
        'outpost-agent-monitor-listener-down',
      ])
      expect(findings.find((f) => f.rule_id.endsWith('error-rate'))!.details).toMatchObject({
        observed: 0.7,
        errors: 70,
        messages: 100,
        threshold: 0.2,
      })
      expect(findings.find((f) => f.rule_id.endsWith('disk-space'))!.details).toMatchObject({
        free_bytes: 2 * GIB,
        threshold_percent: 5,
      })
      expect(bad.output).toMatchObject({
        drops_since_last_run: 16,
        kernel_drops_since_last_run: { syslog_udp: 12 },
      })
      expect(bad.alerts).toBe(5)
    } finally {
      store.close()
    }
  })
})
