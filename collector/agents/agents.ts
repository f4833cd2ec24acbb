import type { Database } from 'better-sqlite3'
import {
  AnalyzerOptions,
  ContractError,
  MonitorOptions,
  type Alert,
  type AgentInfo,
  type CallRes,
  type ParsedReq,
} from '../contract'
import type { Audited } from '../detect/rule-calls'
import type { Logger } from '../host/log'
import type { AlertsRepo } from '../store/sqlite/alerts-repo'
import { AgentsRepo } from '../store/sqlite/agents-repo'
import { ANALYZER_DEFAULTS, createAnalyzer, type AnalyticsQuery } from './analyzer'
import { findingSink } from './findings'
import { createMonitor, MONITOR_DEFAULTS, type MonitorDeps } from './monitor'
import { AgentScheduler, type Clock } from './scheduler'
import type { AgentRunner } from './types'

export type AgentsDeps = {
  db: Database
  alerts: AlertsRepo
  audited: Audited
  log: Logger
  dataDir: string
  /** Pushes `agents:changed`. */
  changed: (agent: AgentInfo) => void
  /** Pushes `alerts:raised` for alerts the agents raised. */
  raised: (alerts: Alert[]) => void
  monitor: Omit<MonitorDeps, 'now' | 'options' | 'raise' | 'dataDir'>
  query: AnalyticsQuery
  /** Stops the analyzer's query in flight when its run is aborted (DuckDB: connection.interrupt). */
  interruptQuery?: () => void
  executor: AgentRunner
  clock?: Clock
}

/** Stored options merged over the defaults; anything stored that no longer parses takes its default. */
const parsed = <T>(
  schema: { safeParse(v: unknown): { success: boolean; data?: T } },
  value: unknown,
  fallback: T,
): T => {
  const result = schema.safeParse(value)
  return result.success ? (result.data as T) : fallback
}

/** The three agents on one scheduler: the core starts it; the CLI runs one agent once. */
export const createAgents = (deps: AgentsDeps): AgentScheduler => {
  const repo = new AgentsRepo(deps.db)
  const now = (): number => (deps.clock ?? { now: Date.now }).now()
  const sink = findingSink({ db: deps.db, alerts: deps.alerts, agents: repo, raised: deps.raised })
  const scheduler: AgentScheduler = new AgentScheduler(
    {
      repo,
      audited: deps.audited,
      changed: deps.changed,
      log: deps.log,
      ...(deps.clock ? { clock: deps.clock } : {}),
    },
    [
      {
        name: 'monitor',
        title: 'Monitor',
        description:
          'Collector health (listeners, queue depth, drops, error rates), free disk space in the data dir, and sources gone silent.',
        defaults: { enabled: true, interval_s: 300, options: MONITOR_DEFAULTS },
        runner: createMonitor({
          ...deps.monitor,
          dataDir: deps.dataDir,
          now,
          options: () => parsed(MonitorOptions, scheduler.options('monitor'), MONITOR_DEFAULTS),
          raise: (findings) => sink('monitor', findings, now()),
        }),
      },
      {
        name: 'analyzer',
        title: 'Analyzer',
        description:
          'DuckDB analytics over recent events: volume anomalies per source, new processes/users/destinations per host, rare parent/child pairs, brute force.',
        defaults: { enabled: true, interval_s: 600, options: ANALYZER_DEFAULTS },
        ...(deps.interruptQuery ? { onAbort: deps.interruptQuery } : {}),
        runner: createAnalyzer({
          query: deps.query,
          now,
          options: () => parsed(AnalyzerOptions, scheduler.options('analyzer'), ANALYZER_DEFAULTS),
          raise: (findings) => sink('analyzer', findings, now()),
        }),
      },
      {
        name: 'executor',
        title: 'Executor',
        description: 'Carries out approved response actions.',
        defaults: { enabled: true, interval_s: 900, options: {} },
        runner: deps.executor,
      },
    ],
  )
  return scheduler
}

/** Until the action service lands: the executor has nothing to carry out. */
export const idleExecutor: AgentRunner = () =>
  // wired to the action service on merge
  Promise.resolve({ outcome: 'ok', summary: 'no approved actions', output: {}, alerts: 0, actions: 0 })

type AgentCall = 'agents:list' | 'agents:update' | 'agents:run' | 'agents:runs'
type AgentHandlers = { [K in AgentCall]: (req: ParsedReq<K>) => CallRes<K> | Promise<CallRes<K>> }

export const agentHandlers = (scheduler: AgentScheduler): AgentHandlers => ({
  'agents:list': () => ({ agents: scheduler.list() }),
  'agents:update': (req) => {
    const { name, ...patch } = req
    if (patch.enabled === undefined && patch.interval_s === undefined && patch.options === undefined)
      throw new ContractError(
        'invalid_request',
        'agents:update: nothing to change: give enabled, interval_s or options',
      )
    return { agent: scheduler.update(name, patch) }
  },
  'agents:run': async (req) => ({ run: await scheduler.runNow(req.name) }),
  'agents:runs': (req) => scheduler.runs(req.name, req.limit, req.before_id),
})
