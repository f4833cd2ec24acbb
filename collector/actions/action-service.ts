/**
 * The governance flow of response actions: propose -> dry-run -> approve -> run -> verify, each
 * move along the state machine (ACTION_MOVES), committed with its audit entry, its record kept as
 * evidence (SHA-256) on the incident, and pushed. The executor step runs approved actions, retries
 * failures with exponential backoff and jitter, and dead-letters the last failure with its reason.
 */
import { execFile } from 'node:child_process'
import { randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto'
import {
  checkActionParams,
  ContractError,
  type Action,
  type ActionArtifact,
  type ActionDeadLetter,
  type ActionStep,
  type ActionType,
  type ActionTypeInfo,
  type Operator,
  type ParsedReq,
} from '../contract'
import type { Audited } from '../detect/rule-calls'
import type { Config } from '../host/config'
import { ActionError, moveProblem, type ActionsRepo, type Move } from '../store/sqlite/actions-repo'
import type { CasesRepo } from '../store/sqlite/cases-repo'
import { ReportError } from '../store/sqlite/reports-repo'
import type { EvidenceStore } from '../workspace/evidence-store'
import { urlAllowed } from './allowlist'
import { buildArtifacts, sha256Hex } from './artifacts'

export type ActionServiceDeps = {
  repo: ActionsRepo
  cases: CasesRepo
  evidence: EvidenceStore
  /** The core's `audited`, committing as the named actor. */
  auditedBy: (actor: string) => Audited
  /** The OS user running Outpost: the default proposer and approver when no operator is named. */
  actor: string
  config: Config['actions']
  /** After every transition (the core pushes `actions:changed`). */
  changed: (action: Action) => void
  now?: () => number
  random?: () => number
  /** Runs an allowlisted program without a shell (injectable for tests). */
  run?: (file: string, args: readonly string[]) => Promise<{ code: number; stdout: string; stderr: string }>
}

export type ExecutorSummary = {
  completed: string[]
  retrying: string[]
  failed: string[]
  /** Actions that could not even start (evidence store unwritable…): left approved, tried next run. */
  errors: Array<{ id: string; error: string }>
}

/** The actor the executor's own steps are audited as. */
export const EXECUTOR_ACTOR = 'outpost-executor'

/** The scripts' target: isolate_host, disable_user and collect_evidence ask it alike. */
const PLATFORM_FIELD: ActionTypeInfo['fields'][number] = {
  name: 'platform',
  label: 'Platform',
  kind: 'choice',
  choices: ['windows', 'linux'],
  default: 'windows',
}

const TYPE_INFO: Record<ActionType, Omit<ActionTypeInfo, 'enabled' | 'disabled_reason'>> = {
  block_ip: {
    type: 'block_ip',
    title: 'Block an IP address',
    description: 'nftables ruleset, iptables and Windows netsh rules, each with its rollback',
    fields: [
      { name: 'ip', label: 'IP address', kind: 'text' },
      {
        name: 'direction',
        label: 'Direction',
        kind: 'choice',
        choices: ['both', 'inbound', 'outbound'],
        default: 'both',
      },
    ],
  },
  isolate_host: {
    type: 'isolate_host',
    title: 'Isolate a host',
    description:
      'a PowerShell or bash script that cuts the host off but for the SOC address, and its rollback',
    fields: [
      { name: 'host', label: 'Host', kind: 'text' },
      PLATFORM_FIELD,
      { name: 'keep_ip', label: 'SOC address kept reachable', kind: 'text' },
    ],
  },
  disable_user: {
    type: 'disable_user',
    title: 'Disable a user',
    description: 'Disable-ADAccount / net user (Windows) or usermod -L (Linux), and the rollback',
    fields: [{ name: 'user', label: 'User', kind: 'text' }, PLATFORM_FIELD],
  },
  collect_evidence: {
    type: 'collect_evidence',
    title: 'Collect evidence',
    description: 'a checklist for the host and a collection script that hashes what it gathers',
    fields: [{ name: 'host', label: 'Host', kind: 'text' }, PLATFORM_FIELD],
  },
  webhook: {
    type: 'webhook',
    title: 'Call a local webhook',
    description: 'POST JSON to an allowlisted URL (actions.webhook_allow)',
    fields: [
      { name: 'url', label: 'URL', kind: 'text' },
      { name: 'body', label: 'Body (JSON object)', kind: 'json', default: '{}' },
    ],
  },
  command: {
    type: 'command',
    title: 'Run a local command',
    description: 'run an allowlisted program (actions.commands) without a shell',
    fields: [
      { name: 'command', label: 'Program (absolute path)', kind: 'text' },
      { name: 'args', label: 'Arguments (one per line)', kind: 'list' },
    ],
  },
}

const SCRYPT_KEYLEN = 32

export const hashPassphrase = (passphrase: string, salt = randomBytes(16).toString('hex')) => ({
  salt,
  hash: scryptSync(passphrase, salt, SCRYPT_KEYLEN).toString('hex'),
})

const runFile = (file: string, args: readonly string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: 60_000, maxBuffer: 1024 * 1024, shell: false },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(new Error(error.message, { cause: error }))
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr })
      },
    )
  })

/** `bash -n` over a script: the syntax error, or null; undefined when bash is not installed. */
const bashSyntax = (script: string): Promise<string | null | undefined> =>
  new Promise((resolve) => {
    const child = execFile('bash', ['-n'], { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve(null)
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return resolve(undefined)
      resolve(stderr.trim() || error.message)
    })
    child.stdin?.end(script)
  })

const refusedHere = <T>(run: () => T): T => {
  try {
    return run()
  } catch (error) {
    if (error instanceof ActionError || error instanceof ReportError)
      throw new ContractError(error.code, error.message)
    throw error
  }
}

export class ActionService {
  private readonly now: () => number
  private readonly random: () => number
  private readonly run: NonNullable<ActionServiceDeps['run']>
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly deps: ActionServiceDeps) {
    this.now = deps.now ?? Date.now
    this.random = deps.random ?? Math.random
    this.run = deps.run ?? runFile
  }

  get twoPersonRule(): boolean {
    return this.deps.config.two_person_rule
  }

  /** Why a type cannot be used here, or null. */
  private disabledReason(type: ActionType): string | null {
    if (type === 'webhook' && this.deps.config.webhook_allow.length === 0)
      return 'the webhook action is off: list allowed URL prefixes in actions.webhook_allow in config.yaml'
    if (type === 'command' && this.deps.config.commands.length === 0)
      return 'the command action is off: list allowed programs (absolute paths) in actions.commands in config.yaml'
    return null
  }

  types(): ActionTypeInfo[] {
    return Object.values(TYPE_INFO).map((info) => {
      const reason = this.disabledReason(info.type)
      return { ...info, enabled: reason === null, disabled_reason: reason }
    })
  }

  /** Refuses a webhook URL or command not on the allowlist, saying where to allow it. */
  private checkAllowed(call: string, type: ActionType, params: Record<string, unknown>): void {
    const reason = this.disabledReason(type)
    if (reason) throw new ContractError('invalid_request', `${call}: ${reason}`)
    if (type === 'webhook') {
      const url = String(params.url)
      if (!urlAllowed(url, this.deps.config.webhook_allow))
        throw new ContractError(
          'invalid_request',
          `${call}: params.url: ${url} is not under any of actions.webhook_allow (${this.deps.config.webhook_allow.join(', ')}); add its prefix in config.yaml`,
        )
    }
    if (type === 'command') {
      const command = String(params.command)
      if (!this.deps.config.commands.includes(command))
        throw new ContractError(
          'invalid_request',
          `${call}: params.command: ${command} is not in actions.commands (${this.deps.config.commands.join(', ')}); add it in config.yaml`,
        )
    }
  }

  private checkOperator(call: string, field: string, name: string, passphrase: string | undefined): string {
    const operator = this.deps.repo.operator(name)
    if (!operator)
      throw new ContractError(
        'invalid_request',
        `${call}: ${field}: no local operator named ${name}; create one (operators:create) first`,
      )
    if (passphrase === undefined)
      throw new ContractError(
        'invalid_request',
        `${call}: passphrase: required for operator ${operator.name}`,
      )
    const given = Buffer.from(hashPassphrase(passphrase, operator.salt).hash, 'hex')
    if (!timingSafeEqual(given, Buffer.from(operator.hash, 'hex')))
      throw new ContractError(
        'invalid_request',
        `${call}: passphrase: wrong passphrase for operator ${operator.name}`,
      )
    return operator.name
  }

  operators(): Operator[] {
    return this.deps.repo.operators()
  }

  createOperator(name: string, passphrase: string): Operator {
    const { salt, hash } = hashPassphrase(passphrase)
    return refusedHere(() =>
      this.deps.auditedBy(this.deps.actor)(
        { action: 'create', object_type: 'operator', object_id: name },
        () => this.deps.repo.createOperator(name, salt, hash, this.now()),
      ),
    )
  }

  list(req: ParsedReq<'actions:list'>): Action[] {
    return this.deps.repo.list(req)
  }

  get(id: string): { action: Action; steps: ActionStep[] } {
    const action = refusedHere(() => this.deps.repo.get(id))
    return { action, steps: this.deps.repo.steps(id) }
  }

  deadLetters(limit: number): ActionDeadLetter[] {
    return this.deps.repo.deadLetters(limit)
  }

  /**
   * Keeps a step's record (and artifacts) as evidence: on the incident when there is one, else in
   * the evidence store alone. Each attachment is its own audited change, as incidents:attach is.
   */
  private async keep(
    action: Action,
    name: string,
    content: string,
    mediaType: string,
  ): Promise<{ evidence_id: string | null; sha256: string }> {
    const bytes = Buffer.from(content)
    const stored = await this.deps.evidence.putBytes(name, bytes)
    const incident = action.incident_id
    if (!incident) return { evidence_id: null, sha256: stored.sha256 }
    const twin = this.deps.cases.findEvidence(incident, stored.sha256)
    if (twin) return { evidence_id: twin.id, sha256: stored.sha256 }
    const evidence = this.deps.auditedBy(EXECUTOR_ACTOR)(
      {
        action: 'attach',
        object_type: 'incident',
        object_id: incident,
        details: { name, sha256: stored.sha256, size: stored.size, action_id: action.id },
      },
      () =>
        this.deps.cases.attach(incident, {
          name,
          media_type: mediaType,
          size: stored.size,
          sha256: stored.sha256,
          note: `response action ${action.id} (${action.type})`,
          actor: EXECUTOR_ACTOR,
        }),
    )
    return { evidence_id: evidence.id, sha256: stored.sha256 }
  }

  /** One move: its record kept as evidence first, then the move and its audit entry together. */
  private async transition(
    action: Action,
    move: Move,
    record: Record<string, unknown>,
    audit: string,
  ): Promise<Action> {
    const problem = moveProblem(action.id, action.status, move.to)
    if (problem) throw new ContractError('conflict', problem)
    const seq = this.deps.repo.steps(action.id).length + 1
    const kept = await this.keep(
      action,
      `action-${action.id.slice(0, 8)}-${String(seq).padStart(2, '0')}-${move.to}.json`,
      `${JSON.stringify({ action_id: action.id, type: action.type, step: seq, from: action.status, to: move.to, actor: move.actor, at: new Date(this.now()).toISOString(), ...record }, null, 2)}\n`,
      'application/json',
    )
    const moved = refusedHere(() =>
      this.deps.auditedBy(move.actor)(
        {
          action: audit,
          object_type: 'action',
          object_id: action.id,
          details: {
            type: action.type,
            incident_id: action.incident_id,
            from: action.status,
            to: move.to,
            sha256: kept.sha256,
            ...(move.note ? { note: move.note } : {}),
          },
        },
        () => this.deps.repo.move(action.id, { ...move, ...kept }, this.now()),
      ),
    )
    this.deps.changed(moved)
    return moved
  }

  async propose(req: ParsedReq<'actions:propose'>): Promise<{ action: Action; created: boolean }> {
    const call = 'actions:propose'
    if (req.idempotency_key) {
      const first = this.deps.repo.byKey(req.idempotency_key)
      if (first) return { action: first, created: false }
    }
    const checked = checkActionParams(req.type, req.params)
    if (!checked.ok)
      throw new ContractError(
        'invalid_request',
        `${call}: ${Object.entries(checked.problems)
          .map(([field, problem]) => `params.${field}: ${problem}`)
          .join('; ')}`,
      )
    this.checkAllowed(call, req.type, checked.params)
    if (req.incident_id) refusedHere(() => this.deps.cases.assertIncident(req.incident_id!))
    let proposer: string
    if (req.proposed_source === 'user' && this.twoPersonRule) {
      if (!req.proposed_by)
        throw new ContractError(
          'invalid_request',
          `${call}: proposed_by: the two-person rule is on (actions.two_person_rule): name the local operator proposing, with their passphrase`,
        )
      proposer = this.checkOperator(call, 'proposed_by', req.proposed_by, req.passphrase)
    } else if (req.proposed_by && req.passphrase !== undefined) {
      proposer = this.checkOperator(call, 'proposed_by', req.proposed_by, req.passphrase)
    } else proposer = req.proposed_by ?? this.deps.actor
    const id = randomUUID()
    const key = req.idempotency_key ?? id
    const input = {
      id,
      idempotency_key: key,
      type: req.type,
      params: checked.params,
      incident_id: req.incident_id,
      proposed_by: proposer,
      proposed_source: req.proposed_source,
    }
    const kept = await this.keep(
      { ...input, status: 'proposed' } as Action,
      `action-${id.slice(0, 8)}-01-proposed.json`,
      `${JSON.stringify({ action_id: id, type: req.type, step: 1, to: 'proposed', inputs: checked.params, proposed_by: proposer, proposed_source: req.proposed_source, at: new Date(this.now()).toISOString() }, null, 2)}\n`,
      'application/json',
    )
    let action: Action
    try {
      action = refusedHere(() =>
        this.deps.auditedBy(proposer)(
          {
            action: 'propose',
            object_type: 'action',
            object_id: id,
            details: {
              type: req.type,
              incident_id: req.incident_id,
              params: checked.params,
              sha256: kept.sha256,
            },
          },
          () => {
            this.deps.repo.insert(input, proposer, this.now())
            this.deps.repo.noteEvidence(id, kept.evidence_id, kept.sha256)
            return this.deps.repo.get(id)
          },
        ),
      )
    } catch (error) {
      // Two proposals with one key at once: the second answers the first.
      const first = req.idempotency_key ? this.deps.repo.byKey(req.idempotency_key) : undefined
      if (first) return { action: first, created: false }
      throw error
    }
    this.deps.changed(action)
    return { action, created: true }
  }

  async dryRun(id: string): Promise<Action> {
    const action = refusedHere(() => this.deps.repo.get(id))
    this.checkAllowed('actions:dry-run', action.type, action.params)
    const built = buildArtifacts(action.type, action.id, action.params, { blocked: this.deps.repo.blocked() })
    const preview = {
      summary: built.summary,
      artifacts: built.artifacts,
      diff: built.diff,
      warnings: built.warnings,
    }
    return this.transition(
      action,
      { to: 'dry_run', actor: this.deps.actor, preview },
      { outputs: preview },
      'dry-run',
    )
  }

  async approve(req: ParsedReq<'actions:approve'>): Promise<Action> {
    const call = 'actions:approve'
    const action = refusedHere(() => this.deps.repo.get(req.id))
    if (action.status === 'proposed')
      throw new ContractError(
        'conflict',
        `${call}: action ${action.id} has no dry-run yet; preview it (actions:dry-run) before approving`,
      )
    let approver: string
    if (this.twoPersonRule) {
      if (!req.approver)
        throw new ContractError(
          'invalid_request',
          `${call}: approver: the two-person rule is on (actions.two_person_rule): name a local operator other than ${action.proposed_by}, with their passphrase`,
        )
      approver = this.checkOperator(call, 'approver', req.approver, req.passphrase)
      if (approver.toLowerCase() === action.proposed_by.toLowerCase())
        throw new ContractError(
          'invalid_request',
          `${call}: approver: ${approver} proposed this action; the two-person rule needs another operator to approve it`,
        )
    } else if (req.approver && req.passphrase !== undefined) {
      approver = this.checkOperator(call, 'approver', req.approver, req.passphrase)
    } else approver = req.approver ?? this.deps.actor
    return this.transition(
      action,
      { to: 'approved', actor: approver, approved_by: approver },
      { approved_by: approver, preview_sha256: action.preview?.artifacts.map((a) => a.sha256) ?? [] },
      'approve',
    )
  }

  async reject(id: string, reason: string): Promise<Action> {
    const action = refusedHere(() => this.deps.repo.get(id))
    return this.transition(
      action,
      { to: 'rejected', actor: this.deps.actor, note: reason },
      { reason },
      'reject',
    )
  }

  /** Runs one action now (actions:execute): approved, or waiting for a retry. */
  execute(id: string): Promise<Action> {
    return this.serial(async () => {
      const action = refusedHere(() => this.deps.repo.get(id))
      if (action.status !== 'approved' && action.status !== 'retrying')
        throw new ContractError(
          'conflict',
          `actions:execute: action ${id} is ${action.status}; only an approved action (or one waiting to retry) runs`,
        )
      return this.attempt(action)
    })
  }

  /** The executor step: every approved action, and every retry whose time has come. */
  executeApproved(signal?: AbortSignal): Promise<ExecutorSummary> {
    return this.serial(async () => {
      const summary: ExecutorSummary = { completed: [], retrying: [], failed: [], errors: [] }
      for (const action of this.deps.repo.due(this.now())) {
        if (signal?.aborted) break
        try {
          const done = await this.attempt(action)
          if (done.status === 'completed') summary.completed.push(done.id)
          else if (done.status === 'retrying') summary.retrying.push(done.id)
          else summary.failed.push(done.id)
        } catch (error) {
          summary.errors.push({ id: action.id, error: (error as Error).message })
        }
      }
      return summary
    })
  }

  /** Executor runs never overlap: the agent's and actions:execute queue behind each other. */
  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run)
    this.queue = next.catch(() => undefined)
    return next
  }

  /** Exponential backoff with jitter: about base * 2^(n-1), between half and one and a half of it. */
  backoffMs(attempt: number): number {
    return Math.round(this.deps.config.retry_base_s * 1000 * 2 ** (attempt - 1) * (0.5 + this.random()))
  }

  private async attempt(action: Action): Promise<Action> {
    const attempts = action.attempts + 1
    let current = await this.transition(
      action,
      { to: 'running', actor: EXECUTOR_ACTOR, attempts, next_attempt_at: null },
      { inputs: action.params, attempt: attempts },
      'run',
    )
    try {
      const outputs = await this.perform(current)
      current = await this.transition(
        current,
        { to: 'verifying', actor: EXECUTOR_ACTOR },
        { outputs },
        'verify',
      )
      const checks = await this.verify(current, outputs)
      return await this.transition(
        current,
        { to: 'completed', actor: EXECUTOR_ACTOR, last_error: null },
        { checks },
        'complete',
      )
    } catch (error) {
      if (error instanceof ContractError && error.code === 'conflict') throw error
      const reason = (error as Error).message
      if (attempts >= this.deps.config.max_attempts) {
        const failed = await this.transition(
          current,
          { to: 'failed', actor: EXECUTOR_ACTOR, last_error: reason, note: reason },
          { error: reason, attempts },
          'fail',
        )
        this.deps.repo.deadLetter(action.id, attempts, reason, this.now())
        return failed
      }
      const next = this.now() + this.backoffMs(attempts)
      return this.transition(
        current,
        { to: 'retrying', actor: EXECUTOR_ACTOR, last_error: reason, next_attempt_at: next, note: reason },
        { error: reason, attempts, next_attempt_at: new Date(next).toISOString() },
        'retry',
      )
    }
  }

  /** "running": built-in types keep their approved artifacts as evidence; webhook and command call out. */
  private async perform(action: Action): Promise<Record<string, unknown>> {
    if (action.type === 'webhook' || action.type === 'command')
      this.checkAllowed('actions:execute', action.type, action.params)
    if (action.type === 'webhook') {
      const params = action.params as { url: string; body: Record<string, unknown> }
      const response = await fetch(params.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action_id: action.id, incident_id: action.incident_id, ...params.body }),
        redirect: 'error',
        signal: AbortSignal.timeout(10_000),
      })
      const text = (await response.text()).slice(0, 4096)
      const kept = await this.keep(action, `action-${action.id.slice(0, 8)}-response.txt`, text, 'text/plain')
      if (!response.ok) throw new Error(`POST ${params.url} answered ${response.status}`)
      return { status: response.status, response_sha256: kept.sha256 }
    }
    if (action.type === 'command') {
      const params = action.params as { command: string; args: string[] }
      const result = await this.run(params.command, params.args)
      const output = `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`
      const kept = await this.keep(action, `action-${action.id.slice(0, 8)}-output.txt`, output, 'text/plain')
      if (result.code !== 0)
        throw new Error(`${params.command} exited with ${result.code}: ${result.stderr.trim().slice(0, 300)}`)
      return { exit: result.code, output_sha256: kept.sha256 }
    }
    const artifacts = action.preview?.artifacts
    if (!artifacts) throw new Error('no preview: run actions:dry-run first')
    const kept: Array<{ name: string; sha256: string; evidence_id: string | null }> = []
    for (const artifact of artifacts) {
      const stored = await this.keep(
        action,
        `action-${action.id.slice(0, 8)}-${artifact.name}`,
        artifact.content,
        artifact.media_type,
      )
      kept.push({ name: artifact.name, ...stored })
    }
    return { artifacts: kept }
  }

  /** "verifying": artifacts re-read from the evidence store and re-hashed; shell scripts `bash -n`. */
  private async verify(action: Action, outputs: Record<string, unknown>): Promise<string[]> {
    if (action.type === 'webhook') return [`answered ${String(outputs.status)}`]
    if (action.type === 'command') return [`exit code ${String(outputs.exit)}`]
    const checks: string[] = []
    for (const artifact of action.preview?.artifacts ?? ([] as ActionArtifact[])) {
      const bytes = await this.deps.evidence.read(artifact.sha256)
      const again = sha256Hex(bytes)
      if (again !== artifact.sha256)
        throw new Error(
          `${artifact.name}: stored bytes hash to ${again}, not the approved ${artifact.sha256}`,
        )
      checks.push(`${artifact.name}: SHA-256 ${again} as approved`)
      if (artifact.name.endsWith('.sh')) {
        const problem = await bashSyntax(artifact.content)
        if (problem === undefined) checks.push(`${artifact.name}: bash not installed, syntax not checked`)
        else if (problem) throw new Error(`${artifact.name}: bash -n: ${problem}`)
        else checks.push(`${artifact.name}: bash -n passes`)
      }
    }
    return checks
  }
}
