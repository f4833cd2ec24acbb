import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import { ContractError } from '../../contract'

export const SYNC_ROLES = ['viewer', 'analyst', 'admin'] as const
export type SyncRole = (typeof SYNC_ROLES)[number]

export type SyncConsole = {
  id: string
  name: string
  role: SyncRole
  created_at: string
  revoked_at: string | null
  last_seen_at: string | null
}

type Row = {
  id: string
  name: string
  role: SyncRole
  token_hash: string
  created_at: number
  revoked_at: number | null
  last_seen_at: number | null
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())
const toConsole = (row: Row): SyncConsole => ({
  id: row.id,
  name: row.name,
  role: row.role,
  created_at: new Date(row.created_at).toISOString(),
  revoked_at: iso(row.revoked_at),
  last_seen_at: iso(row.last_seen_at),
})

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex')

/** What each role may do on the core; each role includes the one before. */
export const ROLE_RANK: Record<SyncRole, number> = { viewer: 0, analyst: 1, admin: 2 }

/**
 * The consoles a core lets sync, each with its own token and role. Only the token's SHA-256 is
 * stored (the token is shown once, when made); a lookup by hash needs no constant-time compare.
 */
export class SyncConsoles {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  add(name: string, role: string): { console: SyncConsole; token: string } {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name))
      throw new ContractError(
        'invalid_request',
        `console name "${name}": use 1-64 letters, digits, '.', '_' or '-'`,
      )
    if (!(SYNC_ROLES as readonly string[]).includes(role))
      throw new ContractError('invalid_request', `role "${role}": use one of ${SYNC_ROLES.join(', ')}`)
    if (this.db.prepare('SELECT 1 FROM sync_consoles WHERE name = ?').get(name))
      throw new ContractError(
        'conflict',
        `a console named "${name}" exists already; pick another name or revoke it`,
      )
    const token = `osync_${randomBytes(24).toString('base64url')}`
    const row: Row = {
      id: randomUUID(),
      name,
      role: role as SyncRole,
      token_hash: tokenHash(token),
      created_at: this.now(),
      revoked_at: null,
      last_seen_at: null,
    }
    this.db
      .prepare(
        'INSERT INTO sync_consoles (id, name, role, token_hash, created_at) VALUES (@id, @name, @role, @token_hash, @created_at)',
      )
      .run(row)
    return { console: toConsole(row), token }
  }

  list(): SyncConsole[] {
    return (this.db.prepare('SELECT * FROM sync_consoles ORDER BY created_at, name').all() as Row[]).map(
      toConsole,
    )
  }

  revoke(name: string): SyncConsole {
    const changed = this.db
      .prepare('UPDATE sync_consoles SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL')
      .run(this.now(), name).changes
    const row = this.db.prepare('SELECT * FROM sync_consoles WHERE name = ?').get(name) as Row | undefined
    if (!row) throw new ContractError('not_found', `no console named "${name}"`)
    if (changed === 0 && row.revoked_at === null) throw new ContractError('internal', `cannot revoke ${name}`)
    return toConsole(row)
  }

  /** The console named by a verified client certificate's CN (not revoked). */
  byCertificate(commonName: string): SyncConsole | null {
    const row = this.db
      .prepare('SELECT * FROM sync_consoles WHERE name = ? AND revoked_at IS NULL')
      .get(commonName) as Row | undefined
    if (!row) return null
    this.db.prepare('UPDATE sync_consoles SET last_seen_at = ? WHERE id = ?').run(this.now(), row.id)
    return toConsole(row)
  }

  /** The console a token belongs to (not revoked), noting when it was last seen. */
  authenticate(token: string | null): SyncConsole | null {
    if (!token) return null
    const row = this.db
      .prepare('SELECT * FROM sync_consoles WHERE token_hash = ? AND revoked_at IS NULL')
      .get(tokenHash(token)) as Row | undefined
    if (!row) return null
    this.db.prepare('UPDATE sync_consoles SET last_seen_at = ? WHERE id = ?').run(this.now(), row.id)
    return toConsole(row)
  }
}
