import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { OUTPOST_BIN } from '../serve-process'

// The built CLI (`npx electron-vite build`) as a real process.
const outpost = (args: string[]) => spawnSync(process.execPath, [OUTPOST_BIN, ...args], { encoding: 'utf8' })

type Listed = {
  agents: Array<{
    name: string
    enabled: boolean
    interval_s: number
    last_run: string | null
    next_run_at: string | null
    last_outcome: string | null
  }>
}

describe('outpost agents', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-agents-cli-'))
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('runs an agent now on the data dir, records it, and lists the agents', () => {
    const executor = outpost(['agents', 'run', 'executor', '--data-dir', dataDir])
    expect(executor.stdout).toMatch(
      /^executor: ok: no approved actions \(\d+ ms, 0 alerts raised, 0 actions\)\n$/,
    )
    expect(executor.status).toBe(0)

    // A source that last spoke two hours ago, within the monitor's lookback (7 days).
    const db = new Database(join(dataDir, 'outpost.sqlite'))
    const quiet = Date.now() - 2 * 3600_000
    db.prepare(
      `INSERT INTO events (id, ts, received_at, listener, source, host, severity, message, fields)
       VALUES ('e-quiet', ?, ?, 'http', '10.0.0.9', 'ws-quiet', NULL, 'hello', '{}')`,
    ).run(quiet, quiet)
    db.close()

    const first = outpost(['agents', 'run', 'monitor', '--json', '--data-dir', dataDir])
    expect(first.status).toBe(0)
    const { run } = JSON.parse(first.stdout) as {
      run: {
        outcome: string
        alerts: number
        trigger: string
        summary: string
        output: { silent_sources: unknown[] }
      }
    }
    expect(run).toMatchObject({
      outcome: 'warning',
      alerts: 1,
      trigger: 'manual',
      summary: '1 source silent',
    })
    expect(run.output.silent_sources).toEqual([
      { source: 'ws-quiet', via: 'events', quiet_s: expect.any(Number) as unknown, expected_s: 3600 },
    ])
    // Still silent: the condition is held, no second alert.
    const second = outpost(['agents', 'run', 'monitor', '--data-dir', dataDir])
    expect(second.stdout).toMatch(
      /^monitor: warning: 1 source silent \(\d+ ms, 0 alerts raised, 0 actions\)\n {2}- Source ws-quiet silent: no event for 2 h \(expected within 60 min\)\n$/,
    )
    const check = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
    expect(check.prepare('SELECT rule_id, host, origin FROM alerts').all()).toEqual([
      { rule_id: 'outpost-agent-monitor-silent-source', host: 'ws-quiet', origin: 'agent' },
    ])
    expect(check.prepare('SELECT action, object_id, actor FROM audit_log ORDER BY seq').all()).toEqual([
      { action: 'run', object_id: 'executor', actor: expect.stringMatching(/^cli:/) as unknown },
      { action: 'run', object_id: 'monitor', actor: expect.stringMatching(/^cli:/) as unknown },
      { action: 'run', object_id: 'monitor', actor: expect.stringMatching(/^cli:/) as unknown },
    ])
    check.close()

    const list = outpost(['agents', 'list', '--json', '--data-dir', dataDir])
    const { agents } = JSON.parse(list.stdout) as Listed
    expect(agents.map((a) => [a.name, a.enabled, a.interval_s, a.last_outcome])).toEqual([
      ['monitor', true, 300, 'warning'],
      ['analyzer', true, 600, null],
      ['executor', true, 900, 'ok'],
    ])
    const monitor = agents[0]!
    expect(Date.parse(monitor.next_run_at!) - Date.parse(monitor.last_run!)).toBe(300_000)
    expect(agents[1]!.next_run_at).toBeNull()
    const text = outpost(['agents', 'list', '--data-dir', dataDir]).stdout.split('\n')
    expect(text[0]).toMatch(/^NAME\s+ENABLED\s+INTERVAL_S\s+LAST RUN\s+NEXT RUN\s+LAST OUTCOME$/)
    expect(text[1]).toMatch(/^monitor\s+yes\s+300\s+\S+Z\s+\S+Z\s+warning: 1 source silent$/)
  })

  it('refuses bad usage with what to do instead', () => {
    const unknown = outpost(['agents', 'run', 'janitor', '--data-dir', dataDir])
    expect(unknown.stderr).toBe('outpost: no agent named "janitor": use monitor, analyzer or executor\n')
    expect(unknown.status).toBe(2)
    const none = outpost(['agents', '--data-dir', dataDir])
    expect(none.stderr).toBe('outpost: say what to do: list or run (see outpost agents --help)\n')
    expect(none.status).toBe(2)
    expect(outpost(['agents', 'list', 'extra', '--data-dir', dataDir]).status).toBe(2)
  })
})
