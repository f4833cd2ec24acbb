import type { Database, Statement } from 'better-sqlite3'
import type { SourceHeartbeat } from '../../contract'

type Row = {
  source: string
  host: string | null
  peer: string | null
  interval_s: number
  last_seen: number
  details: string
}

/** Sources that announce themselves (POST /v1/heartbeat); a source is silent past twice its interval. */
export class HeartbeatsRepo {
  private readonly upsert: Statement<Row>

  constructor(private readonly db: Database) {
    this.upsert = db.prepare(
      `INSERT INTO source_heartbeats (source, host, peer, interval_s, last_seen, details)
       VALUES (@source, @host, @peer, @interval_s, @last_seen, @details)
       ON CONFLICT (source) DO UPDATE SET host = excluded.host, peer = excluded.peer,
         interval_s = excluded.interval_s, last_seen = excluded.last_seen, details = excluded.details`,
    )
  }

  beat(row: Row): void {
    this.upsert.run(row)
  }

  list(now: number = Date.now()): SourceHeartbeat[] {
    const rows = this.db.prepare('SELECT * FROM source_heartbeats ORDER BY source').all() as Row[]
    return rows.map((r) => ({
      source: r.source,
      host: r.host,
      peer: r.peer,
      interval_s: r.interval_s,
      last_seen: new Date(r.last_seen).toISOString(),
      silent: now - r.last_seen > r.interval_s * 2000,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }))
  }
}
