import { z } from 'zod'

const isoTimestamp = z.string().describe('ISO-8601 timestamp with Z or an offset')

export const AGENT_NAMES = ['monitor', 'analyzer', 'executor'] as const
export const AgentName = z.enum(AGENT_NAMES)

/** Schedules run every 60 s at the most often and every 7 days at the least. */
export const MIN_INTERVAL_S = 60
export const MAX_INTERVAL_S = 7 * 24 * 3600

const IntervalS = z
  .number()
  .int('interval_s must be a whole number of seconds')
  .min(MIN_INTERVAL_S, `interval_s must be at least ${MIN_INTERVAL_S} s (1 minute)`)
  .max(MAX_INTERVAL_S, `interval_s must be at most ${MAX_INTERVAL_S} s (7 days)`)

const Seconds = (what: string) =>
  z
    .number()
    .int(`${what} must be a whole number of seconds`)
    .min(60, `${what} must be at least 60 s`)
    .max(30 * 24 * 3600, `${what} must be at most 30 days`)

/** The monitor's thresholds; every field optional in agents:update (the rest keep their value). */
export const MonitorOptions = z.strictObject({
  silent_after_s: Seconds('silent_after_s').describe(
    'a source (host, else peer address) with no event for longer than this is silent',
  ),
  expected_intervals: z
    .record(z.string().min(1), Seconds('an expected interval'))
    .describe('per source (host or peer address): its own expected interval in seconds'),
  lookback_s: Seconds('lookback_s').describe('sources heard from within this long count as known'),
  min_free_bytes: z.number().int().min(0).describe('disk: alert below this many free bytes in the data dir'),
  min_free_percent: z.number().min(0).max(100).describe('disk: alert below this share of free space'),
  max_queue_depth: z.number().int().min(1).describe('events waiting to be stored'),
  max_error_rate: z
    .number()
    .min(0)
    .max(1)
    .describe('refused / (stored + refused) per source since the last run, 0..1'),
  min_messages: z.number().int().min(1).describe('the error rate is judged past this many messages'),
})
export type MonitorOptions = z.infer<typeof MonitorOptions>

/** The analyzer's windows and thresholds. */
export const AnalyzerOptions = z.strictObject({
  window_s: Seconds('window_s').describe('the recent window analysed, ending now'),
  baseline_windows: z
    .number()
    .int()
    .min(3, 'baseline_windows must be at least 3')
    .max(1000)
    .describe('volume: the windows before it forming the rolling baseline'),
  min_volume: z.number().int().min(1).describe('volume: ignore windows with fewer events than this'),
  volume_threshold: z
    .number()
    .min(1)
    .max(100)
    .describe('volume: robust z-score (distance from the median in MADs) that fires'),
  terms_baseline_s: Seconds('terms_baseline_s').describe(
    'new terms and rare pairs: the history before the window they are compared with',
  ),
  rare_max: z.number().int().min(0).describe('rare pairs: seen at most this many times in the baseline'),
  brute_force_threshold: z.number().int().min(2).describe('failed logons per user or source address'),
  max_alerts_per_check: z.number().int().min(1).max(1000),
})
export type AnalyzerOptions = z.infer<typeof AnalyzerOptions>

export const ExecutorOptions = z.strictObject({})
export type ExecutorOptions = z.infer<typeof ExecutorOptions>

export const AgentRun = z.object({
  id: z.number().int(),
  agent: AgentName,
  started_at: isoTimestamp,
  finished_at: isoTimestamp.nullable().describe('null while it runs'),
  duration_ms: z.number().int().nullable(),
  outcome: z.enum(['ok', 'warning', 'failed']).nullable().describe('null while it runs'),
  summary: z.string(),
  output: z.record(z.string(), z.unknown()).describe('what the run found or did'),
  alerts: z.number().int().describe('alerts it raised'),
  actions: z.number().int().describe('response actions it proposed or carried out'),
  trigger: z.enum(['schedule', 'manual']),
})
export type AgentRun = z.infer<typeof AgentRun>

export const AgentInfo = z.object({
  name: AgentName,
  title: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  interval_s: z.number().int(),
  options: z.record(z.string(), z.unknown()),
  last_run: AgentRun.nullable(),
  next_run_at: isoTimestamp.nullable().describe('null when disabled'),
  running: z.boolean(),
})
export type AgentInfo = z.infer<typeof AgentInfo>

const Update = {
  enabled: z.boolean().optional(),
  interval_s: IntervalS.optional(),
}

/** The automation agents (collector/agents/); merged into `calls` in schemas.ts. */
export const agentCalls = {
  'agents:list': {
    req: z.strictObject({}),
    res: z.object({ agents: z.array(AgentInfo) }),
  },
  'agents:update': {
    req: z.discriminatedUnion('name', [
      z.strictObject({ name: z.literal('monitor'), ...Update, options: MonitorOptions.partial().optional() }),
      z.strictObject({
        name: z.literal('analyzer'),
        ...Update,
        options: AnalyzerOptions.partial().optional(),
      }),
      z.strictObject({
        name: z.literal('executor'),
        ...Update,
        options: ExecutorOptions.partial().optional(),
      }),
    ]),
    res: z.object({ agent: AgentInfo }),
  },
  'agents:run': {
    req: z.strictObject({ name: AgentName }),
    res: z.object({ run: AgentRun.describe('finished') }),
  },
  'agents:runs': {
    req: z.strictObject({
      name: AgentName,
      limit: z.number().int().min(1).max(500).default(50),
      before_id: z.number().int().positive().optional().describe('paging: runs older than this id'),
    }),
    res: z.object({
      runs: z.array(AgentRun).describe('newest first'),
      total: z.number().int().describe('runs kept for this agent (the newest 500)'),
    }),
  },
} as const

export const agentEvents = {
  'agents:changed': z.object({
    agent: AgentInfo.describe('its settings changed, or a run started or finished'),
  }),
} as const
