import { randomUUID, timingSafeEqual } from 'node:crypto'
import type { Database, Statement } from 'better-sqlite3'
import type { IngestToken } from '../../contract'
import { ContractError } from '../../contract'

type Row = {
  id: string
  name: string
  token: string
  created_at: number
  revoked_at: number | null
  last_used_at: number | null
}

const toToken = (row: Row): IngestToken => ({
  id: row.id,
  name: row.name,
  token: row.token,
  created_at: new Date(row.created_at).toISOString(),
  revoked_at: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
  last_used_at: row.last_used_at === null ? null : new Date(row.last_used_at).toISOString(),
})

/** Ingest tokens. Reads go to the database each time, so `outpost tokens` edits apply to a running collector. */
export class TokensRepo {
  private readonly byToken: Statement<[string]>
  private readonly touch: Statement<[number, string]>

  constructor(private readonly db: Database) {
    this.byToken = db.prepare('SELECT * FROM ingest_tokens WHERE token = ?')
    this.touch = db.prepare('UPDATE ingest_tokens SET last_used_at = ? WHERE id = ?')
  }

  list(): IngestToken[] {
    return (this.db.prepare('SELECT * FROM ingest_tokens ORDER BY created_at, name').all() as Row[]).map(
      toToken,
    )
  }

  create(name: string): IngestToken {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
      throw new ContractError(
        'invalid_request',
        `token name "${name}": use 1-64 letters, digits, '.', '_' or '-'`,
      )
    }
    const row: Row = {
      id: randomUUID(),
      name,
      // HEC clients expect a GUID-shaped token; 122 random bits is plenty.
      token: randomUUID(),
      created_at: Date.now(),
      revoked_at: null,
      last_used_at: null,
    }
    try {
      this.db
        .prepare(
          'INSERT INTO ingest_tokens (id, name, token, created_at) VALUES (@id, @name, @token, @created_at)',
        )
        .run(row)
    } catch (error) {
      if (/UNIQUE/.test((error as Error).message))
        throw new ContractError('invalid_request', `a token named "${name}" already exists`)
      throw error
    }
    return toToken(row)
  }

  /** Revokes by id or name; revoking twice is not an error. */
  revoke(idOrName: string): IngestToken {
    const row = this.db
      .prepare('SELECT * FROM ingest_tokens WHERE id = ? OR name = ?')
      .get(idOrName, idOrName) as Row | undefined
    if (!row)
      throw new ContractError('not_found', `no token with id or name "${idOrName}" (see outpost tokens list)`)
    if (row.revoked_at === null) {
      row.revoked_at = Date.now()
      this.db.prepare('UPDATE ingest_tokens SET revoked_at = ? WHERE id = ?').run(row.revoked_at, row.id)
    }
    return toToken(row)
  }

  /** First start: one token so HEC works out of the box. */
  ensureDefault(): void {
    const count = (this.db.prepare('SELECT count(*) AS n FROM ingest_tokens').get() as { n: number }).n
    if (count === 0) this.create('default')
  }

  /** 'ok', or why the presented token is refused. Constant-time compare after the indexed lookup. */
  check(presented: string): { ok: true; name: string } | { ok: false; reason: 'unknown' | 'revoked' } {
    const row = this.byToken.get(presented) as Row | undefined
    if (!row || !timingSafeEqual(Buffer.from(row.token), Buffer.from(presented)))
      return { ok: false, reason: 'unknown' }
    if (row.revoked_at !== null) return { ok: false, reason: 'revoked' }
    // Coarse: one write a minute per token at most.
    if (row.last_used_at === null || Date.now() - row.last_used_at > 60_000)
      this.touch.run(Date.now(), row.id)
    return { ok: true, name: row.name }
  }
}
