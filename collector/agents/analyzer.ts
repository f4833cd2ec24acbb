import type { AnalyzerOptions } from '../contract'
import type { Finding } from './findings'
import type { AgentRunner } from './types'

/** A read over the DuckDB archive's `events` table; `$1`… are `params`. BIGINTs come back as numbers. */
export type AnalyticsQuery = (
  sql: string,
  params: readonly (string | number | bigint | boolean | null)[],
) => Promise<Record<string, unknown>[]>

export const ANALYZER_DEFAULTS: AnalyzerOptions = {
  window_s: 600,
  baseline_windows: 24,
  min_volume: 20,
  volume_threshold: 5,
  terms_baseline_s: 7 * 24 * 3600,
  rare_max: 1,
  brute_force_threshold: 10,
  max_alerts_per_check: 20,
}

const RULE = (check: string): string => `outpost-agent-analyzer-${check}`
const TAGS = ['outpost.agent', 'outpost.analytics']

/** Timestamps go to DuckDB as microseconds (exact in a double for the next few centuries). */
const ts = (index: number): string => `make_timestamptz($${index}::BIGINT)`
const micros = (ms: number): number => ms * 1000

const num = (value: unknown): number => (typeof value === 'bigint' ? Number(value) : Number(value ?? 0))
const str = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'bigint'
      ? String(value)
      : ''

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const windowText = (s: number): string => (s % 3600 === 0 ? `${s / 3600} h` : `${Math.round(s / 60)} min`)

type Check = { findings: Finding[]; [key: string]: unknown }

/** Volume per source (host, else peer address): the last window against the windows before it. */
const volume = async (query: AnalyticsQuery, o: AnalyzerOptions, now: number): Promise<Check> => {
  const w = o.window_s * 1000
  const start = now - w * (o.baseline_windows + 1)
  const rows = await query(
    `SELECT coalesce(host, source, listener) AS k,
            CAST(floor((epoch_us(ts) - $1::BIGINT) / $3::BIGINT) AS BIGINT) AS b, count(*) AS n
     FROM events WHERE ts >= ${ts(1)} AND ts < ${ts(2)} GROUP BY ALL`,
    [micros(start), micros(now), micros(w)],
  )
  const bySource = new Map<string, Map<number, number>>()
  for (const row of rows) {
    const k = str(row.k)
    const buckets = bySource.get(k) ?? new Map<number, number>()
    buckets.set(num(row.b), num(row.n))
    bySource.set(k, buckets)
  }
  const current = o.baseline_windows
  const findings: Finding[] = []
  const judged: Array<Record<string, unknown>> = []
  for (const [source, buckets] of bySource) {
    // The baseline starts at the source's first window: a source that began sending an hour ago
    // has no zeros before that.
    const first = Math.min(...buckets.keys())
    const baseline: number[] = []
    for (let b = first; b < current; b++) baseline.push(buckets.get(b) ?? 0)
    if (baseline.length < 3) continue
    const observed = buckets.get(current) ?? 0
    const med = median(baseline)
    const mad = median(baseline.map((n) => Math.abs(n - med)))
    // MAD is 0 for a perfectly steady source: fall back to Poisson noise so a steady 100/window
    // does not fire at 101.
    const scale = Math.max(1.4826 * mad, Math.sqrt(Math.max(med, 1)))
    const score = (observed - med) / scale
    judged.push({ source, observed, median: med, mad, score: Math.round(score * 100) / 100 })
    const spike = observed >= o.min_volume && score >= o.volume_threshold
    const drop = med >= o.min_volume && -score >= o.volume_threshold
    if (!spike && !drop) continue
    const kind = spike ? 'spike' : 'drop'
    findings.push({
      key: `volume-${kind}:${source}`,
      rule_id: RULE('volume'),
      title: `Volume ${kind} from ${source}: ${observed} events in the last ${windowText(o.window_s)} vs median ${med} (MAD ${mad}) over ${baseline.length} windows`,
      level: spike && score >= o.volume_threshold * 2 ? 'high' : 'medium',
      host: source,
      user: null,
      details: {
        check: 'volume',
        direction: kind,
        observed,
        baseline_median: med,
        baseline_mad: mad,
        baseline_windows: baseline.length,
        score,
        threshold: o.volume_threshold,
        min_volume: o.min_volume,
        window_s: o.window_s,
      },
      tags: TAGS,
    })
  }
  return { findings: cap(findings, o), sources: bySource.size, judged: judged.slice(0, 50) }
}

const TERM_FIELDS = [
  { column: 'process', label: 'process' },
  { column: 'user_name', label: 'user' },
  { column: 'dst_ip', label: 'destination' },
] as const

/** Values seen per host in the window that the host never showed in the baseline period. */
const newTerms = async (query: AnalyticsQuery, o: AnalyzerOptions, now: number): Promise<Check> => {
  const windowStart = now - o.window_s * 1000
  const baseStart = windowStart - o.terms_baseline_s * 1000
  const params = [micros(baseStart), micros(windowStart), micros(now), o.max_alerts_per_check]
  const findings: Finding[] = []
  const counts: Record<string, number> = {}
  for (const field of TERM_FIELDS) {
    // The column is one of TERM_FIELDS, never input. Hosts with no baseline are new themselves:
    // every term on them would be "new".
    const rows = await query(
      `WITH cur AS (
         SELECT host, ${field.column} AS value, count(*) AS n, min(ts) AS first
         FROM events WHERE ts >= ${ts(2)} AND ts < ${ts(3)} AND host IS NOT NULL AND ${field.column} IS NOT NULL
         GROUP BY ALL),
       base AS (
         SELECT DISTINCT host, ${field.column} AS value
         FROM events WHERE ts >= ${ts(1)} AND ts < ${ts(2)} AND host IS NOT NULL AND ${field.column} IS NOT NULL),
       hosts AS (
         SELECT host, count(*) AS baseline_events
         FROM events WHERE ts >= ${ts(1)} AND ts < ${ts(2)} AND host IS NOT NULL GROUP BY ALL)
       SELECT cur.host, cur.value, cur.n, hosts.baseline_events, epoch_ms(cur.first) AS first_ms
       FROM cur JOIN hosts USING (host) ANTI JOIN base USING (host, value)
       ORDER BY cur.host, cur.value LIMIT $4`,
      params,
    )
    counts[field.label] = rows.length
    for (const row of rows) {
      const host = str(row.host)
      const value = str(row.value)
      findings.push({
        key: `new-${field.label}:${host}:${value}`,
        rule_id: RULE(`new-${field.label}`),
        title: `New ${field.label} on ${host}: ${value} (${num(row.n)} events, never seen there in the previous ${windowText(o.terms_baseline_s)})`,
        level: 'low',
        host,
        user: field.column === 'user_name' ? value : null,
        details: {
          check: 'new_terms',
          field: field.label,
          value,
          observed: num(row.n),
          baseline_count: 0,
          baseline_events_on_host: num(row.baseline_events),
          baseline_s: o.terms_baseline_s,
          first_seen: new Date(num(row.first_ms)).toISOString(),
        },
        tags: TAGS,
      })
    }
  }
  return { findings: cap(findings, o), per_field: counts }
}

/** Parent/child process pairs in the window seen at most `rare_max` times in the baseline period. */
const rarePairs = async (query: AnalyticsQuery, o: AnalyzerOptions, now: number): Promise<Check> => {
  const windowStart = now - o.window_s * 1000
  const baseStart = windowStart - o.terms_baseline_s * 1000
  const [total] = await query(
    `SELECT count(*) AS n FROM events
     WHERE ts >= ${ts(1)} AND ts < ${ts(2)} AND parent_process IS NOT NULL AND process IS NOT NULL`,
    [micros(baseStart), micros(windowStart)],
  )
  const baselinePairs = num(total?.n)
  // Without a baseline of process creations every pair is "rare": say so instead of alerting.
  if (baselinePairs < o.min_volume)
    return { findings: [], skipped: 'not enough baseline', baseline_pairs: baselinePairs }
  const rows = await query(
    `WITH cur AS (
       SELECT parent_process AS parent, process AS child, count(*) AS n, count(DISTINCT host) AS hosts,
              min(host) AS host
       FROM events WHERE ts >= ${ts(2)} AND ts < ${ts(3)} AND parent_process IS NOT NULL AND process IS NOT NULL
       GROUP BY ALL),
     base AS (
       SELECT parent_process AS parent, process AS child, count(*) AS n
       FROM events WHERE ts >= ${ts(1)} AND ts < ${ts(2)} AND parent_process IS NOT NULL AND process IS NOT NULL
       GROUP BY ALL)
     SELECT cur.parent, cur.child, cur.n, cur.hosts, cur.host, coalesce(base.n, 0) AS baseline
     FROM cur LEFT JOIN base USING (parent, child)
     WHERE coalesce(base.n, 0) <= $4
     ORDER BY baseline, cur.parent, cur.child LIMIT $5`,
    [micros(baseStart), micros(windowStart), micros(now), o.rare_max, o.max_alerts_per_check],
  )
  const findings = rows.map((row): Finding => {
    const parent = str(row.parent)
    const child = str(row.child)
    const baseline = num(row.baseline)
    return {
      key: `rare-pair:${parent}>${child}`,
      rule_id: RULE('rare-process-pair'),
      title: `Rare process pair: ${parent} started ${child} (${num(row.n)}× now, ${baseline}× in the previous ${windowText(o.terms_baseline_s)})`,
      level: baseline === 0 ? 'medium' : 'low',
      host: str(row.host) || null,
      user: null,
      details: {
        check: 'rare_pair',
        parent,
        child,
        observed: num(row.n),
        hosts: num(row.hosts),
        baseline_count: baseline,
        baseline_pairs: baselinePairs,
        threshold: o.rare_max,
        baseline_s: o.terms_baseline_s,
      },
      tags: TAGS,
    }
  })
  return { findings, baseline_pairs: baselinePairs, rare: rows.length }
}

/** Failed logons: Windows 4625 and 4771, or auth messages that say so (sshd, PAM, sudo…). */
const FAILED_LOGON = `(event_code IN ('4625', '4771') OR (kind IN ('auth', 'logon') AND regexp_matches(
  lower(coalesce(message, '')), 'failed password|authentication failure|failed login|invalid user|login failed')))`

const bruteForce = async (query: AnalyticsQuery, o: AnalyzerOptions, now: number): Promise<Check> => {
  const windowStart = now - o.window_s * 1000
  const findings: Finding[] = []
  const groups = [
    { column: 'user_name', label: 'user', other: 'src_ip', otherLabel: 'source addresses' },
    { column: 'src_ip', label: 'source address', other: 'user_name', otherLabel: 'users' },
  ] as const
  // sshd and PAM lines name the account and the address only in the message.
  const value = {
    user_name: `coalesce(user_name, nullif(regexp_extract(message, 'for (?:invalid user )?(\\S+) from ', 1), ''))`,
    src_ip: `coalesce(src_ip, nullif(regexp_extract(message, ' from ([0-9A-Fa-f:.]+)', 1), ''))`,
  }
  const counted: Record<string, number> = {}
  for (const group of groups) {
    const rows = await query(
      `SELECT k, count(*) AS n, count(DISTINCT other) AS others, count(DISTINCT host) AS hosts, min(host) AS host
       FROM (SELECT ${value[group.column]} AS k, ${value[group.other]} AS other, host
             FROM events WHERE ts >= ${ts(1)} AND ts < ${ts(2)} AND ${FAILED_LOGON})
       WHERE k IS NOT NULL GROUP BY k HAVING count(*) >= $3 ORDER BY n DESC, k LIMIT $4`,
      [micros(windowStart), micros(now), o.brute_force_threshold, o.max_alerts_per_check],
    )
    counted[group.label] = rows.length
    for (const row of rows) {
      const k = str(row.k)
      const n = num(row.n)
      findings.push({
        key: `brute-force:${group.column}:${k}`,
        rule_id: RULE('brute-force'),
        title: `Brute force? ${n} failed logons for ${group.label} ${k} in ${windowText(o.window_s)} (threshold ${o.brute_force_threshold}), from ${num(row.others)} ${group.otherLabel}`,
        level: n >= o.brute_force_threshold * 5 ? 'high' : 'medium',
        host: str(row.host) || null,
        user: group.column === 'user_name' ? k : null,
        details: {
          check: 'brute_force',
          by: group.label,
          value: k,
          observed: n,
          threshold: o.brute_force_threshold,
          distinct_others: num(row.others),
          hosts: num(row.hosts),
          window_s: o.window_s,
        },
        tags: [...TAGS, 'attack.credential_access', 'attack.t1110'],
      })
    }
  }
  return { findings, per_group: counted }
}

const cap = (findings: Finding[], o: AnalyzerOptions): Finding[] => findings.slice(0, o.max_alerts_per_check)

export type AnalyzerDeps = {
  query: AnalyticsQuery
  now: () => number
  options: () => AnalyzerOptions
  raise: (findings: readonly Finding[]) => number
}

/** Runs every check over the archive and returns what they found (no alerts raised). */
export const analyze = async (
  query: AnalyticsQuery,
  options: AnalyzerOptions,
  now: number,
  signal?: AbortSignal,
): Promise<{ findings: Finding[]; checks: Record<string, Record<string, unknown>> }> => {
  const checks: Record<string, Record<string, unknown>> = {}
  const findings: Finding[] = []
  for (const [name, check] of [
    ['volume', volume],
    ['new_terms', newTerms],
    ['rare_pairs', rarePairs],
    ['brute_force', bruteForce],
  ] as const) {
    signal?.throwIfAborted()
    const started = performance.now()
    const { findings: found, ...rest } = await check(query, options, now)
    findings.push(...found)
    checks[name] = { ...rest, findings: found.length, took_ms: Math.round(performance.now() - started) }
  }
  return { findings, checks }
}

/** The analyzer agent: DuckDB analytics over the recent archive, alerts with their numbers. */
export const createAnalyzer =
  (deps: AnalyzerDeps): AgentRunner =>
  async (signal) => {
    const options = deps.options()
    const now = deps.now()
    const { findings, checks } = await analyze(deps.query, options, now, signal)
    signal.throwIfAborted()
    const raised = deps.raise(findings)
    const byCheck = Object.entries(checks)
      .filter(([, c]) => num(c.findings) > 0)
      .map(([name, c]) => `${name.replace('_', ' ')} ${num(c.findings)}`)
    return {
      outcome: findings.length > 0 ? 'warning' : 'ok',
      summary:
        findings.length > 0
          ? `${findings.length} finding${findings.length === 1 ? '' : 's'} (${byCheck.join(', ')}), ${raised} new alert${raised === 1 ? '' : 's'}`
          : `nothing unusual in the last ${windowText(options.window_s)}`,
      output: {
        window: {
          from: new Date(now - options.window_s * 1000).toISOString(),
          to: new Date(now).toISOString(),
        },
        checks,
        findings: findings.map((f) => ({ rule_id: f.rule_id, title: f.title, details: f.details })),
        alerts_raised: raised,
        alerts_held: findings.length - raised,
      },
      alerts: raised,
      actions: 0,
    }
  }
