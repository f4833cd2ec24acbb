import { spawnSync } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Action } from '../contract'
import type { Audited } from '../detect/rule-calls'
import { Config } from '../host/config'
import { ActionsRepo } from '../store/sqlite/actions-repo'
import { AlertsRepo } from '../store/sqlite/alerts-repo'
import { AuditLog } from '../store/sqlite/audit-repo'
import { CasesRepo } from '../store/sqlite/cases-repo'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { EvidenceStore } from '../workspace/evidence-store'
import { ActionService, EXECUTOR_ACTOR, type ActionServiceDeps } from './action-service'
import { createExecutorRunner } from './executor'

const bashInstalled = spawnSync('bash', ['-c', 'true']).status === 0

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const setup = (config: Partial<Config['actions']> = {}, run?: ActionServiceDeps['run']) => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-actions-'))
  dirs.push(dir)
  const sqlite = SqliteStore.open(join(dir, 'outpost.sqlite'), { synchronous: 'normal' })
  const audit = new AuditLog(sqlite.db)
  const auditedBy =
    (who: string): Audited =>
    (entry, change) =>
      sqlite.db.transaction(() => {
        const value = change()
        audit.append({ ...(typeof entry === 'function' ? entry(value) : entry), actor: who })
        return value
      })()
  sqlite.db
    .prepare(
      `INSERT INTO incidents (id, title, severity, origin, group_json, created_at, updated_at, first_ts, last_ts)
       VALUES ('inc-1', 'case', 'high', 'analyst', '{}', 0, 0, 0, 0)`,
    )
    .run()
  const cases = new CasesRepo(sqlite.db, new AlertsRepo(sqlite.db))
  const evidence = new EvidenceStore(join(dir, 'evidence'), 10 * 1024 * 1024)
  const clock = { now: 1_700_000_000_000 }
  const changes: Action[] = []
  const repo = new ActionsRepo(sqlite.db)
  const service = new ActionService({
    repo,
    cases,
    evidence,
    auditedBy,
    actor: 'os-user',
    config: { ...Config.parse({}).actions, ...config },
    changed: (action) => changes.push(action),
    now: () => clock.now,
    random: () => 0.5,
    ...(run && { run }),
  })
  return { sqlite, audit, cases, evidence, clock, changes, repo, service }
}

const propose = (service: ActionService, extra: Record<string, unknown> = {}) =>
  service.propose({
    type: 'block_ip',
    params: { ip: '203.0.113.7' },
    incident_id: 'inc-1',
    proposed_source: 'user',
    ...extra,
  })

describe('response actions', () => {
  it('goes proposed -> dry_run -> approved -> running -> verifying -> completed, audited, kept as evidence', async () => {
    const { service, audit, cases, evidence, changes } = setup()
    const { action, created } = await propose(service)
    expect(created).toBe(true)
    expect(action).toMatchObject({
      status: 'proposed',
      proposed_by: 'os-user',
      params: { ip: '203.0.113.7', direction: 'both' },
    })

    const previewed = await service.dryRun(action.id)
    expect(previewed.status).toBe('dry_run')
    expect(previewed.preview!.artifacts[0]!.content).toContain('ip saddr 203.0.113.7 drop')
    expect(previewed.preview!.diff).toContain('+    ip saddr 203.0.113.7 drop')

    await service.approve({ id: action.id })
    const done = await service.execute(action.id)
    expect(done).toMatchObject({ status: 'completed', attempts: 1, approved_by: 'os-user', last_error: null })

    const { steps } = service.get(action.id)
    expect(steps.map((s) => s.to)).toEqual([
      'proposed',
      'dry_run',
      'approved',
      'running',
      'verifying',
      'completed',
    ])
    expect(steps.map((s) => s.actor)).toEqual([
      'os-user',
      'os-user',
      'os-user',
      EXECUTOR_ACTOR,
      EXECUTOR_ACTOR,
      EXECUTOR_ACTOR,
    ])
    for (const step of steps) {
      expect(step.sha256).toMatch(/^[0-9a-f]{64}$/)
      expect(step.evidence_id).not.toBeNull()
    }
    expect(changes.map((c) => c.status)).toEqual([
      'proposed',
      'dry_run',
      'approved',
      'running',
      'verifying',
      'completed',
    ])

    // Every step's record and every artifact is on the incident, its bytes hashing to the name.
    const kept = cases.evidenceOf('inc-1')
    const names = kept.map((e) => e.name)
    expect(names).toContain(`action-${action.id.slice(0, 8)}-block-203.0.113.7.nft`)
    expect(names.filter((n) => n.endsWith('.json'))).toHaveLength(6)
    const nft = kept.find((e) => e.name.endsWith('.nft') && e.name.includes('-block-'))!
    expect(Buffer.from(await evidence.read(nft.sha256)).toString()).toContain('ip saddr 203.0.113.7 drop')
    const verifying = kept.find((e) => e.name.endsWith('-05-verifying.json'))!
    const completed = kept.find((e) => e.name.endsWith('-06-completed.json'))!
    const record = JSON.parse(Buffer.from(await evidence.read(completed.sha256)).toString()) as {
      to: string
      checks: string[]
    }
    expect(record.to).toBe('completed')
    expect(record.checks).toContainEqual(
      expect.stringMatching(/block-203\.0\.113\.7\.nft: SHA-256 [0-9a-f]{64} as approved/),
    )
    if (bashInstalled) expect(record.checks).toContain('block-203.0.113.7.iptables.sh: bash -n passes')
    expect(verifying).toBeDefined()

    // Every transition is in the hash-chained audit log, which still verifies.
    const entries = audit.list(1000).filter((e) => e.object_type === 'action')
    expect(entries.map((e) => e.action).reverse()).toEqual([
      'propose',
      'dry-run',
      'approve',
      'run',
      'verify',
      'complete',
    ])
    expect(audit.verify().intact).toBe(true)

    // The next block of another IP is diffed against this one, now the known state.
    const { action: second } = await propose(service, { params: { ip: '198.51.100.9' } })
    const preview = (await service.dryRun(second.id)).preview!
    expect(preview.diff).toContain('     ip saddr 203.0.113.7 drop')
    expect(preview.diff).toContain('+    ip saddr 198.51.100.9 drop')
  })

  it('allows only legal moves, and says which ones are', async () => {
    const { service } = setup()
    const { action } = await propose(service)
    await expect(service.approve({ id: action.id })).rejects.toThrow(/no dry-run yet; preview it/)
    await expect(service.execute(action.id)).rejects.toThrow(/is proposed; only an approved action/)
    await service.reject(action.id, 'wrong address')
    await expect(service.dryRun(action.id)).rejects.toThrow(
      /is rejected; it cannot become dry_run \(from rejected it may become: nothing, it is finished\)/,
    )
    await expect(service.dryRun('nope')).rejects.toMatchObject({ code: 'not_found' })
  })

  it('answers a second proposal with the same idempotency key with the first action', async () => {
    const { service, repo } = setup()
    const first = await propose(service, { idempotency_key: 'rule-42:203.0.113.7' })
    const second = await propose(service, {
      idempotency_key: 'rule-42:203.0.113.7',
      params: { ip: '10.9.9.9' },
    })
    expect(second).toEqual({ action: first.action, created: false })
    expect(repo.list({ limit: 10 })).toHaveLength(1)
  })

  it('refuses bad parameters field by field, an unknown incident, and webhook/command until allowlisted', async () => {
    const { service } = setup()
    await expect(
      service.propose({
        type: 'isolate_host',
        params: { host: "ws'; reboot", platform: 'linux', keep_ip: '10.0.0.01' },
        incident_id: null,
        proposed_source: 'user',
      }),
    ).rejects.toThrow(
      /actions:propose: params\.host: a host name is .*; params\.keep_ip: "10\.0\.0\.01" is not an IPv4/,
    )
    await expect(propose(service, { incident_id: 'nope' })).rejects.toMatchObject({ code: 'not_found' })
    await expect(
      service.propose({
        type: 'command',
        params: { command: '/bin/true' },
        incident_id: null,
        proposed_source: 'user',
      }),
    ).rejects.toThrow(/command action is off: list allowed programs .* actions\.commands in config\.yaml/)
    await expect(
      service.propose({
        type: 'webhook',
        params: { url: 'http://127.0.0.1:9/x' },
        incident_id: null,
        proposed_source: 'user',
      }),
    ).rejects.toThrow(/webhook action is off/)
    expect(
      service
        .types()
        .filter((t) => !t.enabled)
        .map((t) => t.type),
    ).toEqual(['webhook', 'command'])
  })

  it('runs an allowlisted command without a shell; a program not on the list is refused', async () => {
    const { service } = setup({ commands: ['/bin/echo'] })
    await expect(
      service.propose({
        type: 'command',
        params: { command: '/bin/sh', args: ['-c', 'id'] },
        incident_id: null,
        proposed_source: 'user',
      }),
    ).rejects.toThrow(/params\.command: \/bin\/sh is not in actions\.commands \(\/bin\/echo\)/)
    const { action } = await service.propose({
      type: 'command',
      params: { command: '/bin/echo', args: ['$(id)', '; reboot'] },
      incident_id: 'inc-1',
      proposed_source: 'user',
    })
    await service.dryRun(action.id)
    await service.approve({ id: action.id })
    expect((await service.execute(action.id)).status).toBe('completed')
  })

  it('POSTs the webhook action to an allowlisted local URL, and refuses one that only looks like it', async () => {
    const received: string[] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => {
        received.push(body)
        res.end('{"ok":true}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const { service, cases } = setup({ webhook_allow: [`${base}/hook/`] })
      await expect(
        service.propose({
          type: 'webhook',
          params: { url: `${base}@evil.example/hook/x` },
          incident_id: null,
          proposed_source: 'user',
        }),
      ).rejects.toThrow(/params\.url: .* is not under any of actions\.webhook_allow/)
      const { action } = await service.propose({
        type: 'webhook',
        params: { url: `${base}/hook/contain`, body: { host: 'ws-01' } },
        incident_id: 'inc-1',
        proposed_source: 'user',
      })
      await service.dryRun(action.id)
      await service.approve({ id: action.id })
      expect((await service.execute(action.id)).status).toBe('completed')
      expect(received.map((b) => JSON.parse(b) as unknown)).toEqual([
        { action_id: action.id, incident_id: 'inc-1', host: 'ws-01' },
      ])
      expect(cases.evidenceOf('inc-1').map((e) => e.name)).toContain(
        `action-${action.id.slice(0, 8)}-response.txt`,
      )
    } finally {
      server.close()
    }
  })

  it('retries a failing action with exponential backoff and jitter, then dead-letters it with the reason', async () => {
    let calls = 0
    const { service, clock, repo } = setup(
      { commands: ['/opt/tool'], max_attempts: 3, retry_base_s: 30 },
      () => {
        calls++
        return Promise.resolve({ code: 2, stdout: '', stderr: 'tool: host unreachable' })
      },
    )
    const { action } = await service.propose({
      type: 'command',
      params: { command: '/opt/tool' },
      incident_id: 'inc-1',
      proposed_source: 'agent',
      proposed_by: 'analyzer',
    })
    expect(action.proposed_by).toBe('analyzer')
    await service.dryRun(action.id)
    await service.approve({ id: action.id })

    const runner = createExecutorRunner(service)
    const first = await runner(new AbortController().signal)
    expect(first).toMatchObject({ outcome: 'warning', summary: '1 to retry of 1 action', actions: 1 })
    let now = repo.get(action.id)
    expect(now).toMatchObject({
      status: 'retrying',
      attempts: 1,
      last_error: '/opt/tool exited with 2: tool: host unreachable',
    })
    // random() = 0.5: exactly base * 2^(n-1).
    expect(Date.parse(now.next_attempt_at!) - clock.now).toBe(30_000)

    // Not due yet: the executor leaves it.
    clock.now += 29_000
    expect((await runner(new AbortController().signal)).summary).toBe('no approved actions waiting')
    clock.now += 1_000
    await service.executeApproved()
    now = repo.get(action.id)
    expect(now).toMatchObject({ status: 'retrying', attempts: 2 })
    expect(Date.parse(now.next_attempt_at!) - clock.now).toBe(60_000)

    clock.now += 60_000
    const last = await runner(new AbortController().signal)
    expect(last).toMatchObject({ outcome: 'failed', summary: '1 failed of 1 action' })
    expect(repo.get(action.id)).toMatchObject({ status: 'failed', attempts: 3, next_attempt_at: null })
    expect(calls).toBe(3)
    expect(service.deadLetters(10)).toEqual([
      expect.objectContaining({
        action_id: action.id,
        type: 'command',
        attempts: 3,
        reason: '/opt/tool exited with 2: tool: host unreachable',
      }),
    ])
    expect(service.get(action.id).steps.map((s) => s.to)).toEqual([
      'proposed',
      'dry_run',
      'approved',
      'running',
      'retrying',
      'running',
      'retrying',
      'running',
      'failed',
    ])
  })

  it('stops between actions once the run is aborted, leaving the rest approved', async () => {
    const { service, repo } = setup()
    const ids: string[] = []
    for (const ip of ['203.0.113.1', '203.0.113.2']) {
      const { action } = await propose(service, { params: { ip } })
      await service.dryRun(action.id)
      await service.approve({ id: action.id })
      ids.push(action.id)
    }
    const controller = new AbortController()
    controller.abort()
    expect(await service.executeApproved(controller.signal)).toEqual({
      completed: [],
      retrying: [],
      failed: [],
      errors: [],
    })
    expect(ids.map((id) => repo.get(id).status)).toEqual(['approved', 'approved'])
    expect((await service.executeApproved()).completed.sort()).toEqual([...ids].sort())
  })

  it('backs off between half and one and a half of base * 2^(n-1)', () => {
    const low = setup({ retry_base_s: 10 })
    expect(low.service.backoffMs(1)).toBe(10_000)
    expect(low.service.backoffMs(4)).toBe(80_000)
  })
})

describe('the two-person rule', () => {
  it('needs a named operator with their passphrase to propose, and another one to approve', async () => {
    const { service, audit } = setup({ two_person_rule: true })
    service.createOperator('alice', 'alice passphrase')
    service.createOperator('bob', 'bob passphrase')
    expect(() => service.createOperator('Alice', 'another one')).toThrow(
      /operator named Alice exists already/,
    )
    expect(service.operators().map((o) => o.name)).toEqual(['alice', 'bob'])

    await expect(propose(service)).rejects.toThrow(/proposed_by: the two-person rule is on/)
    await expect(propose(service, { proposed_by: 'alice', passphrase: 'nope' })).rejects.toThrow(
      /passphrase: wrong passphrase for operator alice/,
    )
    await expect(propose(service, { proposed_by: 'mallory', passphrase: 'x' })).rejects.toThrow(
      /proposed_by: no local operator named mallory/,
    )
    const { action } = await propose(service, { proposed_by: 'alice', passphrase: 'alice passphrase' })
    expect(action.proposed_by).toBe('alice')
    await service.dryRun(action.id)

    await expect(service.approve({ id: action.id })).rejects.toThrow(
      /approver: the two-person rule is on .* other than alice/,
    )
    await expect(
      service.approve({ id: action.id, approver: 'ALICE', passphrase: 'alice passphrase' }),
    ).rejects.toThrow(/approver: alice proposed this action; the two-person rule needs another operator/)
    await expect(
      service.approve({ id: action.id, approver: 'bob', passphrase: 'alice passphrase' }),
    ).rejects.toThrow(/wrong passphrase for operator bob/)
    expect(service.get(action.id).action.status).toBe('dry_run')
    const approved = await service.approve({ id: action.id, approver: 'bob', passphrase: 'bob passphrase' })
    expect(approved).toMatchObject({ status: 'approved', approved_by: 'bob' })
    const entries = audit.list(1000)
    expect(entries.find((e) => e.action === 'propose')?.actor).toBe('alice')
    expect(entries.find((e) => e.action === 'approve')?.actor).toBe('bob')
  })
})
