/** Webhook subscriptions and every delivery owed to them; status 'dead' is the dead-letter list. */
import type { Database } from 'better-sqlite3'
import type { WebhookDelivery, WebhookEvent, WebhookSubscription } from '../../contract'

type SubscriptionRow = Omit<WebhookSubscription, 'events' | 'enabled' | 'created_at' | 'updated_at'> & {
  events: string
  enabled: number
  created_at: number
  updated_at: number
}
type DeliveryRow = Omit<WebhookDelivery, 'next_attempt_at' | 'created_at' | 'delivered_at'> & {
  payload: string
  next_attempt_at: number | null
  created_at: number
  delivered_at: number | null
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())
const toSubscription = (r: SubscriptionRow): WebhookSubscription => ({
  ...r,
  events: JSON.parse(r.events) as WebhookEvent[],
  enabled: r.enabled === 1,
  created_at: new Date(r.created_at).toISOString(),
  updated_at: new Date(r.updated_at).toISOString(),
})
const toDelivery = ({ payload: _payload, ...r }: DeliveryRow): WebhookDelivery => ({
  ...r,
  next_attempt_at: iso(r.next_attempt_at),
  created_at: new Date(r.created_at).toISOString(),
  delivered_at: iso(r.delivered_at),
})

export type DueDelivery = WebhookDelivery & { payload: string; url: string; secret: string }

export class WebhooksRepo {
  constructor(private readonly db: Database) {}

  list(): WebhookSubscription[] {
    return (
      this.db.prepare('SELECT * FROM webhook_subscriptions ORDER BY name, id').all() as SubscriptionRow[]
    ).map(toSubscription)
  }

  get(id: string): WebhookSubscription | undefined {
    const row = this.db.prepare('SELECT * FROM webhook_subscriptions WHERE id = ?').get(id) as
      SubscriptionRow | undefined
    return row && toSubscription(row)
  }

  save(
    input: {
      id: string
      name: string
      url: string
      events: WebhookEvent[]
      enabled: boolean
      secret: string
    },
    now: number,
  ): WebhookSubscription {
    this.db
      .prepare(
        `INSERT INTO webhook_subscriptions (id, name, url, events, secret, enabled, created_at, updated_at)
         VALUES (@id, @name, @url, @events, @secret, @enabled, @now, @now)
         ON CONFLICT (id) DO UPDATE SET name = @name, url = @url, events = @events, enabled = @enabled, updated_at = @now`,
      )
      .run({ ...input, events: JSON.stringify(input.events), enabled: input.enabled ? 1 : 0, now })
    return this.get(input.id)!
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM webhook_subscriptions WHERE id = ?').run(id).changes > 0
  }

  enqueue(subscriptionId: string, event: WebhookEvent, payload: string, now: number): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO webhook_deliveries (subscription_id, event, payload, status, attempts, next_attempt_at, created_at)
           VALUES (?, ?, ?, 'pending', 0, ?, ?)`,
        )
        .run(subscriptionId, event, payload, now, now).lastInsertRowid,
    )
  }

  due(now: number, limit = 100): DueDelivery[] {
    return (
      this.db
        .prepare(
          `SELECT d.*, s.url, s.secret FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
           WHERE d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?`,
        )
        .all(now, limit) as Array<DeliveryRow & { url: string; secret: string }>
    ).map((r) => ({ ...toDelivery(r), payload: r.payload, url: r.url, secret: r.secret }))
  }

  /** One pending delivery with what sending it needs. */
  pending(id: number): DueDelivery | undefined {
    const row = this.db
      .prepare(
        `SELECT d.*, s.url, s.secret FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
         WHERE d.id = ? AND d.status = 'pending'`,
      )
      .get(id) as (DeliveryRow & { url: string; secret: string }) | undefined
    return row && { ...toDelivery(row), payload: row.payload, url: row.url, secret: row.secret }
  }

  delivery(id: number): WebhookDelivery | undefined {
    const row = this.db.prepare('SELECT * FROM webhook_deliveries WHERE id = ?').get(id) as
      DeliveryRow | undefined
    return row && toDelivery(row)
  }

  /** The newest deliveries, dead letters included. */
  deliveries(limit: number): WebhookDelivery[] {
    return (
      this.db.prepare('SELECT * FROM webhook_deliveries ORDER BY id DESC LIMIT ?').all(limit) as DeliveryRow[]
    ).map(toDelivery)
  }

  settle(
    id: number,
    outcome: {
      status: 'pending' | 'delivered' | 'dead'
      attempts: number
      next_attempt_at: number | null
      last_error: string | null
      response_status: number | null
      delivered_at: number | null
    },
  ): void {
    this.db
      .prepare(
        `UPDATE webhook_deliveries SET status = @status, attempts = @attempts, next_attempt_at = @next_attempt_at,
           last_error = @last_error, response_status = @response_status, delivered_at = @delivered_at WHERE id = @id`,
      )
      .run({ id, ...outcome })
  }

  nextDue(): number | undefined {
    const row = this.db
      .prepare(`SELECT min(next_attempt_at) AS at FROM webhook_deliveries WHERE status = 'pending'`)
      .get() as { at: number | null }
    return row.at ?? undefined
  }
}
