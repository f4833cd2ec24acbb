/**
 * Response actions, their steps and dead letters, and the local operators who approve them.
 * Callers hold the transaction (the core's `audited`), so a move and its audit entry commit together.
 */
import type { Database } from 'better-sqlite3'
import {
  ACTION_MOVES,
  type Action,
  type ActionDeadLetter,
  type ActionPreview,
  type ActionStatus,
  type ActionStep,
  type ActionType,
  type Operator,
} from '../../contract'

type ActionRow = Omit<Action, 'params' | 'preview' | 'next_attempt_at' | 'created_at' | 'updated_at'> & {
  params: string
  preview: string | null
  next_attempt_at: number | null
  created_at: number
  updated_at: number
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

const toAction = (r: ActionRow): Action => ({
  ...r,
  params: JSON.parse(r.params) as Record<string, unknown>,
  preview: r.preview === null ? null : (JSON.parse(r.preview) as ActionPreview),
  next_attempt_at: iso(r.next_attempt_at),
  created_at: new Date(r.created_at).toISOString(),
  updated_at: new Date(r.updated_at).toISOString(),
})

/** A refusal the caller can act on: an unknown id, or a move the state machine does not allow. */
export class ActionError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid_request',
    message: string,
  ) {
    super(message)
    this.name = 'ActionError'
  }
}

/** Why an action cannot move from `from` to `to`, or null when the state machine allows it. */
export const moveProblem = (id: string, from: ActionStatus, to: ActionStatus): string | null =>
  ACTION_MOVES[from].includes(to)
    ? null
    : `action ${id} is ${from}; it cannot become ${to} (from ${from} it may become: ${ACTION_MOVES[from].join(', ') || 'nothing, it is finished'})`

export type NewAction = {
  id: string
  idempotency_key: string
  type: ActionType
  params: Record<string, unknown>
  incident_id: string | null
  proposed_by: string
  proposed_source: Action['proposed_source']
}

export type Move = {
  to: ActionStatus
  actor: string
  note?: string | null
  preview?: ActionPreview
  approved_by?: string
  attempts?: number
  next_attempt_at?: number | null
  last_error?: string | null
  evidence_id?: string | null
  sha256?: string | null
}

export class ActionsRepo {
  constructor(private readonly db: Database) {}

  get(id: string): Action {
    const row = this.db.prepare('SELECT * FROM actions WHERE id = ?').get(id) as ActionRow | undefined
    if (!row) throw new ActionError('not_found', `no action with id ${id}`)
    return toAction(row)
  }

  byKey(key: string): Action | undefined {
    const row = this.db.prepare('SELECT * FROM actions WHERE idempotency_key = ?').get(key) as
      ActionRow | undefined
    return row && toAction(row)
  }

  list(filter: {
    incident_id?: string | undefined
    status?: ActionStatus | undefined
    limit: number
  }): Action[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM actions
           WHERE (@incident IS NULL OR incident_id = @incident) AND (@status IS NULL OR status = @status)
           ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
        )
        .all({
          incident: filter.incident_id ?? null,
          status: filter.status ?? null,
          limit: filter.limit,
        }) as ActionRow[]
    ).map(toAction)
  }

  /** Approved actions and retries whose time has come, oldest first. */
  due(now: number): Action[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM actions WHERE status = 'approved' OR (status = 'retrying' AND next_attempt_at <= ?)
           ORDER BY updated_at, rowid`,
        )
        .all(now) as ActionRow[]
    ).map(toAction)
  }

  insert(input: NewAction, actor: string, now: number): Action {
    this.db
      .prepare(
        `INSERT INTO actions (id, idempotency_key, type, params, incident_id, proposed_by, proposed_source,
           status, created_at, updated_at)
         VALUES (@id, @idempotency_key, @type, @params, @incident_id, @proposed_by, @proposed_source,
           'proposed', @now, @now)`,
      )
      .run({ ...input, params: JSON.stringify(input.params), now })
    this.step(input.id, null, 'proposed', actor, now, null, null, null)
    return this.get(input.id)
  }

  /** Moves an action one legal step; anything else is refused naming both states. */
  move(id: string, move: Move, now: number): Action {
    const current = this.get(id)
    const problem = moveProblem(id, current.status, move.to)
    if (problem) throw new ActionError('conflict', problem)
    this.db
      .prepare(
        `UPDATE actions SET status = @to, updated_at = @now,
           preview = coalesce(@preview, preview), approved_by = coalesce(@approved_by, approved_by),
           attempts = coalesce(@attempts, attempts),
           next_attempt_at = CASE WHEN @set_next THEN @next ELSE next_attempt_at END,
           last_error = CASE WHEN @set_error THEN @error ELSE last_error END
         WHERE id = @id`,
      )
      .run({
        id,
        to: move.to,
        now,
        preview: move.preview ? JSON.stringify(move.preview) : null,
        approved_by: move.approved_by ?? null,
        attempts: move.attempts ?? null,
        set_next: move.next_attempt_at !== undefined ? 1 : 0,
        next: move.next_attempt_at ?? null,
        set_error: move.last_error !== undefined ? 1 : 0,
        error: move.last_error ?? null,
      })
    this.step(
      id,
      current.status,
      move.to,
      move.actor,
      now,
      move.note ?? null,
      move.evidence_id ?? null,
      move.sha256 ?? null,
    )
    return this.get(id)
  }

  private step(
    id: string,
    from: ActionStatus | null,
    to: ActionStatus,
    actor: string,
    now: number,
    note: string | null,
    evidenceId: string | null,
    sha256: string | null,
  ): void {
    this.db
      .prepare(
        `INSERT INTO action_steps (action_id, at, from_status, to_status, actor, note, evidence_id, sha256)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, now, from, to, actor, note, evidenceId, sha256)
  }

  /** Records the evidence kept for the newest step of an action. */
  noteEvidence(id: string, evidenceId: string | null, sha256: string): void {
    this.db
      .prepare(
        `UPDATE action_steps SET evidence_id = ?, sha256 = ?
         WHERE seq = (SELECT max(seq) FROM action_steps WHERE action_id = ?)`,
      )
      .run(evidenceId, sha256, id)
  }

  steps(id: string): ActionStep[] {
    return (
      this.db.prepare('SELECT * FROM action_steps WHERE action_id = ? ORDER BY seq').all(id) as Array<{
        seq: number
        at: number
        from_status: ActionStatus | null
        to_status: ActionStatus
        actor: string
        note: string | null
        evidence_id: string | null
        sha256: string | null
      }>
    ).map((s) => ({
      seq: s.seq,
      at: new Date(s.at).toISOString(),
      from: s.from_status,
      to: s.to_status,
      actor: s.actor,
      note: s.note,
      evidence_id: s.evidence_id,
      sha256: s.sha256,
    }))
  }

  deadLetter(id: string, attempts: number, reason: string, now: number): void {
    this.db
      .prepare('INSERT INTO action_dead_letters (action_id, attempts, reason, at) VALUES (?, ?, ?, ?)')
      .run(id, attempts, reason, now)
  }

  deadLetters(limit: number): ActionDeadLetter[] {
    return (
      this.db
        .prepare(
          `SELECT d.id, d.action_id, a.type, a.incident_id, d.attempts, d.reason, d.at
           FROM action_dead_letters d JOIN actions a ON a.id = d.action_id ORDER BY d.id DESC LIMIT ?`,
        )
        .all(limit) as Array<Omit<ActionDeadLetter, 'at'> & { at: number }>
    ).map((d) => ({ ...d, at: new Date(d.at).toISOString() }))
  }

  /** The IPs completed block_ip actions blocked: the state a new block is diffed against. */
  blocked(): Array<{ ip: string; direction: 'inbound' | 'outbound' | 'both' }> {
    return (
      this.db
        .prepare(
          `SELECT params FROM actions WHERE type = 'block_ip' AND status = 'completed' ORDER BY updated_at, rowid`,
        )
        .all() as Array<{ params: string }>
    ).map((r) => JSON.parse(r.params) as { ip: string; direction: 'inbound' | 'outbound' | 'both' })
  }

  operators(): Operator[] {
    return (
      this.db.prepare('SELECT name, created_at FROM operators ORDER BY name').all() as Array<{
        name: string
        created_at: number
      }>
    ).map((o) => ({ name: o.name, created_at: new Date(o.created_at).toISOString() }))
  }

  operator(name: string): { name: string; salt: string; hash: string } | undefined {
    return this.db.prepare('SELECT name, salt, hash FROM operators WHERE name = ?').get(name) as
      { name: string; salt: string; hash: string } | undefined
  }

  createOperator(name: string, salt: string, hash: string, now: number): Operator {
    if (this.operator(name))
      throw new ActionError('conflict', `an operator named ${name} exists already; pick another name`)
    this.db
      .prepare('INSERT INTO operators (name, salt, hash, created_at) VALUES (?, ?, ?, ?)')
      .run(name, salt, hash, now)
    return { name, created_at: new Date(now).toISOString() }
  }
}
