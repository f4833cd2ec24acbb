import { statfs } from 'node:fs/promises'
import type { MonitorOptions, SourceCounters, SourceHeartbeat } from '../contract'
import type { Finding } from './findings'
import type { AgentRunner } from './types'

export const MONITOR_DEFAULTS: MonitorOptions = {
  silent_after_s: 3600,
  expected_intervals: {},
  lookback_s: 7 * 24 * 3600,
  min_free_bytes: 1024 ** 3,
  min_free_percent: 5,
  max_queue_depth: 100_000,
  max_error_rate: 0.2,
  min_messages: 20,
}

export type DiskSpace = { free_bytes: number; total_bytes: number }

export type MonitorDeps = {
  now: () => number
  options: () => MonitorOptions
  dataDir: string
  /** Free and total bytes of the file system holding `path`. */
  disk?: (path: string) => Promise<DiskSpace>
  /** The configured listeners and whether each is listening; null without a live collector (CLI). */
  listeners: () => Array<{ name: string; up: boolean; port: number | null }> | null
  /** Events waiting to be stored; null without a live collector. */
  queueDepth: () => number | null
  /** Events stored in SQLite and not archived yet. */
  archiveLag: () => number | null
  /** Per listener and peer counters since the start; null without a live collector. */
  sourceStats: () => SourceCounters[] | null
  /** UDP listeners: datagrams the kernel dropped before they were read (Linux), since the start. */
  kernelDrops?: () => Record<string, number> | null
  deadLettersSince: (since: number) => number
  heartbeats: () => SourceHeartbeat[]
  /** Per source (host, else peer address), the last event received among those since `since`. */
  lastEvents: (since: number) => Array<{ source: string; last_seen: number; events: number }>
  /** Raises the findings' alerts (new conditions only); returns how many. */
  raise: (findings: readonly Finding[]) => number
}

const statDisk = async (path: string): Promise<DiskSpace> => {
  const stats = await statfs(path)
  return { free_bytes: stats.bavail * stats.bsize, total_bytes: stats.blocks * stats.bsize }
}

const RULE = (check: string): string => `outpost-agent-monitor-${check}`
const TAGS = ['outpost.agent', 'outpost.collector-health']

const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GiB`
const duration = (s: number): string =>
  s >= 7200 ? `${Math.round(s / 3600)} h` : s >= 120 ? `${Math.round(s / 60)} min` : `${Math.round(s)} s`

/**
 * The monitor agent: collector health (listeners, queue, drops, error rates), the data dir's free
 * space and sources gone silent. Counters are judged by what changed since its previous run.
 */
export const createMonitor = (deps: MonitorDeps): AgentRunner => {
  let previous = new Map<string, SourceCounters>()
  let previousRunAt: number | null = null
  let previousKernel: Record<string, number> = {}
  return async (signal) => {
    const options = deps.options()
    const now = deps.now()
    const findings: Finding[] = []

    const listeners = deps.listeners()
    for (const listener of listeners ?? [])
      if (!listener.up)
        findings.push({
          key: `listener:${listener.name}`,
          rule_id: RULE('listener-down'),
          title: `Collector listener ${listener.name} is not listening`,
          level: 'high',
          host: null,
          user: null,
          details: { check: 'listener', listener: listener.name, port: listener.port },
          tags: TAGS,
        })

    const queueDepth = deps.queueDepth()
    if (queueDepth !== null && queueDepth > options.max_queue_depth)
      findings.push({
        key: 'queue-depth',
        rule_id: RULE('queue-depth'),
        title: `Collector queue backed up: ${queueDepth} events waiting (threshold ${options.max_queue_depth})`,
        level: 'medium',
        host: null,
        user: null,
        details: { check: 'queue_depth', observed: queueDepth, threshold: options.max_queue_depth },
        tags: TAGS,
      })

    const sources = deps.sourceStats()
    const rates: Array<Record<string, string | number>> = []
    let drops = 0
    if (sources) {
      const current = new Map<string, SourceCounters>()
      for (const counters of sources) {
        const key = `${counters.listener}\u0000${counters.source}`
        current.set(key, counters)
        const before = previous.get(key)
        const stored = counters.events - (before?.events ?? 0)
        const errors = counters.errors - (before?.errors ?? 0)
        const dropped = counters.drops - (before?.drops ?? 0)
        drops += dropped
        const messages = stored + errors
        const rate = messages > 0 ? errors / messages : 0
        rates.push({ listener: counters.listener, source: counters.source, stored, errors, dropped })
        const who = `${counters.source} on ${counters.listener}`
        if (messages >= options.min_messages && rate > options.max_error_rate)
          findings.push({
            key: `error-rate:${counters.listener}:${counters.source}`,
            rule_id: RULE('error-rate'),
            title: `High error rate from ${who}: ${Math.round(rate * 100)}% refused (${errors} of ${messages})`,
            level: 'medium',
            host: null,
            user: null,
            details: {
              check: 'error_rate',
              listener: counters.listener,
              source: counters.source,
              observed: rate,
              errors,
              messages,
              threshold: options.max_error_rate,
              last_error: counters.last_error,
            },
            tags: TAGS,
          })
        if (dropped > 0)
          findings.push({
            key: `drops:${counters.listener}:${counters.source}`,
            rule_id: RULE('drops'),
            title: `Events dropped from ${who}: ${dropped} since the last check`,
            level: 'medium',
            host: null,
            user: null,
            details: {
              check: 'drops',
              listener: counters.listener,
              source: counters.source,
              observed: dropped,
              threshold: 0,
              last_error: counters.last_error,
            },
            tags: TAGS,
          })
      }
      previous = current
    }
    const kernel = deps.kernelDrops?.() ?? null
    const kernelDropped: Record<string, number> = {}
    for (const [listener, total] of Object.entries(kernel ?? {})) {
      // The kernel's counter is per socket: a smaller number means a new socket, counted from 0.
      const dropped =
        total >= (previousKernel[listener] ?? 0) ? total - (previousKernel[listener] ?? 0) : total
      kernelDropped[listener] = dropped
      drops += dropped
      if (dropped > 0)
        findings.push({
          key: `drops:kernel:${listener}`,
          rule_id: RULE('drops'),
          title: `Datagrams dropped by the kernel on ${listener}: ${dropped} since the last check (receive buffer full)`,
          level: 'medium',
          host: null,
          user: null,
          details: { check: 'kernel_drops', listener, observed: dropped, threshold: 0 },
          tags: TAGS,
        })
    }
    if (kernel) previousKernel = kernel
    const deadLetters = deps.deadLettersSince(previousRunAt ?? now - options.silent_after_s * 1000)
    previousRunAt = now

    signal.throwIfAborted()
    const disk = await (deps.disk ?? statDisk)(deps.dataDir)
    const freePercent = disk.total_bytes > 0 ? (disk.free_bytes / disk.total_bytes) * 100 : 100
    if (disk.free_bytes < options.min_free_bytes || freePercent < options.min_free_percent)
      findings.push({
        key: 'disk',
        rule_id: RULE('disk-space'),
        title: `Data dir low on disk space: ${gib(disk.free_bytes)} free (${freePercent.toFixed(1)}%)`,
        level: freePercent < options.min_free_percent / 2 ? 'high' : 'medium',
        host: null,
        user: null,
        details: {
          check: 'disk',
          path: deps.dataDir,
          free_bytes: disk.free_bytes,
          total_bytes: disk.total_bytes,
          free_percent: freePercent,
          threshold_bytes: options.min_free_bytes,
          threshold_percent: options.min_free_percent,
        },
        tags: TAGS,
      })

    // Silent sources: heartbeat sources by their announced interval (silent past twice it, as the
    // Collector view says), the others by when their last event arrived.
    const silent: Array<Record<string, string | number>> = []
    const beating = new Set<string>()
    for (const beat of deps.heartbeats()) {
      beating.add(beat.source)
      if (beat.host) beating.add(beat.host)
      if (!beat.silent) continue
      const quietS = (now - Date.parse(beat.last_seen)) / 1000
      silent.push({
        source: beat.source,
        via: 'heartbeat',
        quiet_s: Math.round(quietS),
        expected_s: beat.interval_s,
      })
      findings.push({
        key: `silent:${beat.source}`,
        rule_id: RULE('silent-source'),
        title: `Source ${beat.source} silent: no heartbeat for ${duration(quietS)} (expected every ${duration(beat.interval_s)})`,
        level: 'medium',
        host: beat.host,
        user: null,
        details: {
          check: 'silent_source',
          source: beat.source,
          via: 'heartbeat',
          last_seen: beat.last_seen,
          observed_quiet_s: Math.round(quietS),
          expected_interval_s: beat.interval_s,
          threshold_s: beat.interval_s * 2,
        },
        tags: TAGS,
      })
    }
    signal.throwIfAborted()
    const known = deps.lastEvents(now - options.lookback_s * 1000)
    for (const source of known) {
      if (beating.has(source.source)) continue
      const expected = options.expected_intervals[source.source] ?? options.silent_after_s
      const quietS = (now - source.last_seen) / 1000
      if (quietS <= expected) continue
      silent.push({ source: source.source, via: 'events', quiet_s: Math.round(quietS), expected_s: expected })
      findings.push({
        key: `silent:${source.source}`,
        rule_id: RULE('silent-source'),
        title: `Source ${source.source} silent: no event for ${duration(quietS)} (expected within ${duration(expected)})`,
        level: 'medium',
        host: source.source,
        user: null,
        details: {
          check: 'silent_source',
          source: source.source,
          via: 'events',
          last_seen: new Date(source.last_seen).toISOString(),
          observed_quiet_s: Math.round(quietS),
          threshold_s: expected,
          events_in_lookback: source.events,
        },
        tags: TAGS,
      })
    }

    const raised = deps.raise(findings)
    const problems: string[] = []
    if (silent.length > 0) problems.push(`${silent.length} source${silent.length === 1 ? '' : 's'} silent`)
    const down = (listeners ?? []).filter((l) => !l.up).length
    if (down > 0) problems.push(`${down} listener${down === 1 ? '' : 's'} down`)
    if (findings.some((f) => f.key === 'disk')) problems.push(`disk ${freePercent.toFixed(1)}% free`)
    if (findings.some((f) => f.key === 'queue-depth')) problems.push(`queue ${queueDepth}`)
    const bad = new Set(
      findings
        .filter(
          (f) =>
            f.key.startsWith('error-rate:') ||
            (f.key.startsWith('drops:') && !f.key.startsWith('drops:kernel:')),
        )
        .map((f) => f.key.slice(f.key.indexOf(':') + 1)),
    ).size
    const lost = Object.values(kernelDropped).reduce((sum, n) => sum + n, 0)
    if (lost > 0) problems.push(`${lost} datagram${lost === 1 ? '' : 's'} dropped by the kernel`)
    if (bad > 0) problems.push(`${bad} source${bad === 1 ? '' : 's'} with drops or errors`)
    return {
      outcome: findings.length > 0 ? 'warning' : 'ok',
      summary:
        problems.length > 0
          ? problems.join(', ')
          : `healthy: ${known.length} source${known.length === 1 ? '' : 's'} reporting, ${gib(disk.free_bytes)} free`,
      output: {
        listeners,
        queue_depth: queueDepth,
        archive_lag: deps.archiveLag(),
        drops_since_last_run: sources || kernel ? drops : null,
        kernel_drops_since_last_run: kernel ? kernelDropped : null,
        sources: sources ? rates : null,
        dead_letters_since_last_run: deadLetters,
        disk: { path: deps.dataDir, ...disk, free_percent: Math.round(freePercent * 10) / 10 },
        sources_known: known.length,
        silent_sources: silent,
        findings: findings.map((f) => ({ rule_id: f.rule_id, title: f.title, details: f.details })),
        alerts_raised: raised,
        alerts_held: findings.length - raised,
      },
      alerts: raised,
      actions: 0,
    }
  }
}
