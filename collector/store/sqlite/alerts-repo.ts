import type { Database, Statement } from 'better-sqlite3'
import type { Alert } from '../../contract'

type Row = {
  seq: number
  id: string
  created_at: number
  ts: number
  origin: string
  rule_id: string | null
  title: string
  level: Alert['level']
  tags: string
  techniques: string
  host: string | null
  event_id: string
  status: string
}

const toAlert = (r: Row): Alert => ({
  seq: r.seq,
  id: r.id,
  created_at: new Date(r.created_at).toISOString(),
  timestamp: new Date(r.ts).toISOString(),
  origin: r.origin,
  rule_id: r.rule_id,
  title: r.title,
  level: r.level,
  tags: JSON.parse(r.tags) as string[],
  techniques: JSON.parse(r.techniques) as string[],
  host: r.host,
  event_id: r.event_id,
  status: r.status,
})

/** Read side of alerts; they are written with their event, in EventsRepo.commit. */
export class AlertsRepo {
  private readonly newest: Statement<[number]>
  private readonly after: Statement<[number, number]>

  constructor(db: Database) {
    this.newest = db.prepare('SELECT * FROM alerts ORDER BY seq DESC LIMIT ?')
    this.after = db.prepare('SELECT * FROM alerts WHERE seq > ? ORDER BY seq DESC LIMIT ?')
  }

  list(limit: number): Alert[] {
    return (this.newest.all(limit) as Row[]).map(toAlert)
  }

  since(seq: number, limit: number): Alert[] {
    return (this.after.all(seq, limit) as Row[]).map(toAlert)
  }
}
