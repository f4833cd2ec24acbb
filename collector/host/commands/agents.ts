import { AGENT_NAMES, type AgentRun } from '../../contract'
import { agentHandlers, createAgents, idleExecutor } from '../../agents/agents'
import type { AnalyticsQuery } from '../../agents/analyzer'
import { duckQuery } from '../../agents/duck-query'
import type { AgentName } from '../../agents/types'
import { DuckArchive } from '../../store/duckdb/archive'
import { AlertsRepo } from '../../store/sqlite/alerts-repo'
import { DeadLettersRepo } from '../../store/sqlite/dead-letters-repo'
import { EventsRepo } from '../../store/sqlite/events-repo'
import { HeartbeatsRepo } from '../../store/sqlite/heartbeats-repo'
import { loadConfig } from '../config'
import { silentLogger } from '../log'
import { dataFiles } from '../paths'
import { commonOptions, parse, UsageError, type Command } from './common'
import { withStore } from './store'

const HELP = `Usage: outpost agents list [--data-dir DIR] [--json]
       outpost agents run monitor|analyzer|executor [--data-dir DIR] [--json]

The automation agents that run inside Outpost on their schedules (Agents view):
  monitor   collector health, free disk space in the data dir, sources gone silent
  analyzer  DuckDB analytics over recent events: volume anomalies, new terms, rare process
            pairs, brute force
  executor  carries out approved response actions

  list  each agent: enabled, interval, last run, next run, last outcome
  run   runs one agent once now on the data dir, records the run in its history, prints the
        outcome and what it found; alerts it raises appear in the Alerts view. Without a running
        collector the monitor judges stored events, heartbeats and disk space only. The
        analyzer reads the DuckDB archive, which a running Outpost holds: use Run now in the
        Agents view then.

Exit status 0 when the run finished (ok or warning), 1 when it failed, 2 on a usage error.

Options:
  --data-dir DIR   data dir
  --json           print JSON
  -h, --help       show this help
`

const when = (iso: string | null): string => iso ?? '-'

const runText = (run: AgentRun): string => {
  const lines = [
    `${run.agent}: ${run.outcome ?? 'running'}: ${run.summary} (${run.duration_ms ?? 0} ms, ${run.alerts} alert${run.alerts === 1 ? '' : 's'} raised, ${run.actions} action${run.actions === 1 ? '' : 's'})`,
  ]
  const findings = run.output.findings
  if (Array.isArray(findings))
    for (const finding of findings as Array<{ title?: unknown }>)
      if (typeof finding.title === 'string') lines.push(`  - ${finding.title}`)
  return lines.join('\n') + '\n'
}

export const agentsCommand: Command = {
  summary: 'list the automation agents or run one now',
  run: async (args, io) => {
    const { values, positionals } = parse(
      args,
      { ...commonOptions, json: { type: 'boolean' } },
      'agents',
      true,
    )
    if (values.help) {
      io.stdout(HELP)
      return 0
    }
    const [verb, name, ...extra] = positionals
    if (verb !== 'list' && verb !== 'run')
      throw new UsageError(
        verb === undefined
          ? 'say what to do: list or run (see outpost agents --help)'
          : `unknown agents command "${verb}": use list or run`,
      )
    if (verb === 'list' && name !== undefined)
      throw new UsageError(`unexpected argument "${name}" (see outpost agents --help)`)
    if (verb === 'run' && !(AGENT_NAMES as readonly string[]).includes(name ?? ''))
      throw new UsageError(
        name === undefined
          ? 'name the agent to run: monitor, analyzer or executor'
          : `no agent named "${name}": use monitor, analyzer or executor`,
      )
    if (extra.length > 0)
      throw new UsageError(`unexpected argument "${extra[0]}" (see outpost agents --help)`)

    return withStore(values['data-dir'], io.env, async ({ db, dataDir, audited }) => {
      let archive: DuckArchive | undefined
      // Opened only for the analyzer: a running Outpost holds the archive.
      const query: AnalyticsQuery = async (sql, params) => {
        archive ??= await DuckArchive.open(dataFiles(dataDir).duckdb, {
          memoryLimitMb: loadConfig(dataFiles(dataDir).config).archive.memory_limit_mb,
        })
        return duckQuery(archive.connection)(sql, params)
      }
      const events = new EventsRepo(db)
      const deadLetters = new DeadLettersRepo(db)
      const heartbeats = new HeartbeatsRepo(db)
      const agents = createAgents({
        db,
        alerts: new AlertsRepo(db),
        audited,
        log: silentLogger,
        dataDir,
        changed: () => {},
        raised: () => {},
        monitor: {
          listeners: () => null,
          queueDepth: () => null,
          archiveLag: () => null,
          sourceStats: () => null,
          deadLettersSince: (since) => deadLetters.countSince(since),
          heartbeats: () => heartbeats.list(),
          lastEvents: (since) => events.lastSeenBySource(since),
        },
        query,
        interruptQuery: () => archive?.connection.interrupt(),
        executor: idleExecutor,
      })
      try {
        if (verb === 'list') {
          const list = agents.list().map((agent) => {
            const next = agent.last_run ? agents.dueAt(agent.name) : null
            return {
              name: agent.name,
              enabled: agent.enabled,
              interval_s: agent.interval_s,
              last_run: agent.last_run?.started_at ?? null,
              next_run_at: next === null ? null : new Date(next).toISOString(),
              last_outcome: agent.last_run?.outcome ?? null,
              last_summary: agent.last_run?.summary ?? null,
              options: agent.options,
            }
          })
          if (values.json) io.stdout(JSON.stringify({ agents: list }) + '\n')
          else {
            const header = ['NAME', 'ENABLED', 'INTERVAL_S', 'LAST RUN', 'NEXT RUN', 'LAST OUTCOME']
            const rows = list.map((a) => [
              a.name,
              a.enabled ? 'yes' : 'no',
              String(a.interval_s),
              when(a.last_run),
              a.enabled ? (a.next_run_at ?? 'an interval after start') : 'disabled',
              a.last_outcome ? `${a.last_outcome}: ${a.last_summary ?? ''}` : '-',
            ])
            const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
            io.stdout(
              [header, ...rows]
                .map((r) =>
                  r
                    .map((c, i) => c.padEnd(widths[i]!))
                    .join('  ')
                    .trimEnd(),
                )
                .join('\n') + '\n',
            )
          }
          return 0
        }
        const { run } = await agentHandlers(agents)['agents:run']({ name: name as AgentName })
        io.stdout(values.json ? JSON.stringify({ run }) + '\n' : runText(run))
        return run.outcome === 'failed' ? 1 : 0
      } finally {
        await agents.stop()
        archive?.close()
      }
    })
  },
}
