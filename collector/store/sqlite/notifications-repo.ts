/** The notification centre: critical alerts, silent sources, actions waiting for approval. */
import type { Database } from 'better-sqlite3'
import type { Notification } from '../../contract'

type Row = Omit<Notification, 'at' | 'read'> & { at: number; read_at: number | null }
const toNotification = ({ read_at, ...r }: Row): Notification => ({
  ...r,
  at: new Date(r.at).toISOString(),
  read: read_at !== null,
})

export type NewNotification = Omit<Notification, 'id' | 'at' | 'read'>

export class NotificationsRepo {
  constructor(private readonly db: Database) {}

  add(input: NewNotification, now: number): Notification {
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO notifications (at, kind, title, body, ref_type, ref_id, incident_id)
           VALUES (@now, @kind, @title, @body, @ref_type, @ref_id, @incident_id)`,
        )
        .run({ ...input, now }).lastInsertRowid,
    )
    return toNotification(this.db.prepare('SELECT * FROM notifications WHERE id = ?').get(id) as Row)
  }

  /** Whether this object was already notified of this way (a folded alert is pushed again). */
  has(kind: Notification['kind'], refId: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM notifications WHERE kind = ? AND ref_id = ?').get(kind, refId) !==
      undefined
    )
  }

  list(filter: { unread?: boolean | undefined; limit: number }): Notification[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM notifications WHERE (@unread = 0 OR read_at IS NULL) ORDER BY id DESC LIMIT @limit`,
        )
        .all({ unread: filter.unread ? 1 : 0, limit: filter.limit }) as Row[]
    ).map(toNotification)
  }

  unread(): number {
    return (
      this.db.prepare('SELECT count(*) AS n FROM notifications WHERE read_at IS NULL').get() as { n: number }
    ).n
  }

  read(ids: readonly number[] | undefined, now: number): void {
    if (ids === undefined) {
      this.db.prepare('UPDATE notifications SET read_at = ? WHERE read_at IS NULL').run(now)
      return
    }
    const mark = this.db.prepare('UPDATE notifications SET read_at = ? WHERE id = ? AND read_at IS NULL')
    for (const id of ids) mark.run(now, id)
  }
}
