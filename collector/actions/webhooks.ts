/**
 * Webhook subscriptions: alert, incident and action changes POSTed as JSON to local automation
 * (n8n and the like), signed `X-Outpost-Signature: sha256=<hex HMAC-SHA256 of the body>` with the
 * subscription's secret. Nothing leaves until its destination is allowlisted (webhooks.allow);
 * each delivery is stored first, retried with backoff, and dead-lettered with the reason.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import {
  ContractError,
  type ParsedReq,
  type WebhookDelivery,
  type WebhookEvent,
  type WebhookSubscription,
} from '../contract'
import type { Config } from '../host/config'
import type { Logger } from '../host/log'
import type { DueDelivery, WebhooksRepo } from '../store/sqlite/webhooks-repo'
import { urlAllowed } from './allowlist'

export const SIGNATURE_HEADER = 'x-outpost-signature'
export const TIMESTAMP_HEADER = 'x-outpost-timestamp'

export const signBody = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

export type WebhookDeps = {
  repo: WebhooksRepo
  config: Config['webhooks']
  log: Logger
  now?: () => number
  random?: () => number
}

export class WebhookDispatcher {
  private readonly now: () => number
  private readonly random: () => number
  private pumping: Promise<number> | undefined
  private timer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(private readonly deps: WebhookDeps) {
    this.now = deps.now ?? Date.now
    this.random = deps.random ?? Math.random
  }

  get allow(): string[] {
    return this.deps.config.allow
  }

  allowed(url: string): boolean {
    return urlAllowed(url, this.deps.config.allow)
  }

  /** Refuses a destination outside webhooks.allow, saying where to allow it. */
  checkUrl(call: string, url: string): void {
    if (this.deps.config.allow.length === 0)
      throw new ContractError(
        'invalid_request',
        `${call}: url: webhooks are off until destinations are allowed: add a URL prefix to webhooks.allow (Settings, or config.yaml), e.g. http://127.0.0.1:5678/webhook/`,
      )
    if (!this.allowed(url))
      throw new ContractError(
        'invalid_request',
        `${call}: url: ${url} is not under any of webhooks.allow (${this.deps.config.allow.join(', ')}); add its prefix in config.yaml`,
      )
  }

  /** The stored subscription with this request applied (not saved yet): the caller audits the save. */
  save(req: ParsedReq<'webhooks:save'>): WebhookSubscription {
    this.checkUrl('webhooks:save', req.url)
    const existing = req.id ? this.deps.repo.get(req.id) : undefined
    if (req.id && !existing)
      throw new ContractError('not_found', `webhooks:save: no subscription with id ${req.id}`)
    return this.deps.repo.save(
      {
        id: existing?.id ?? randomUUID(),
        name: req.name,
        url: req.url,
        events: [...new Set(req.events)],
        enabled: req.enabled,
        secret: existing?.secret ?? randomBytes(32).toString('hex'),
      },
      this.now(),
    )
  }

  /** Queues a change for every enabled, allowlisted subscription to that kind; sent soon after. */
  publish(event: WebhookEvent, data: unknown): number {
    const subscribers = this.deps.repo
      .list()
      .filter((s) => s.enabled && s.events.includes(event) && this.allowed(s.url))
    if (subscribers.length === 0) return 0
    const now = this.now()
    const body = JSON.stringify({ event, at: new Date(now).toISOString(), data })
    for (const s of subscribers) this.deps.repo.enqueue(s.id, event, body, now)
    this.soon()
    return subscribers.length
  }

  /** A test delivery to one subscription, tried once now; it retries like any other if it fails. */
  async test(id: string): Promise<WebhookDelivery> {
    const subscription = this.deps.repo.get(id)
    if (!subscription) throw new ContractError('not_found', `webhooks:test: no subscription with id ${id}`)
    this.checkUrl('webhooks:test', subscription.url)
    const now = this.now()
    const event = subscription.events[0] ?? 'alert.raised'
    const body = JSON.stringify({
      event,
      at: new Date(now).toISOString(),
      test: true,
      data: { subscription: subscription.name },
    })
    const deliveryId = this.deps.repo.enqueue(subscription.id, event, body, now)
    const pending = this.deps.repo.pending(deliveryId)
    if (pending) await this.send(pending)
    return this.deps.repo.delivery(deliveryId)!
  }

  /** Sends every delivery that is due, once; returns how many were tried. Never overlaps itself. */
  pump(): Promise<number> {
    if (this.pumping) return this.pumping
    if (this.stopped) return Promise.resolve(0)
    const run = (async () => {
      const due = this.deps.repo.due(this.now())
      let tried = 0
      // Stopping waits for the delivery in flight only; the rest are sent after the next start.
      for (const delivery of due) {
        if (this.stopped) break
        await this.send(delivery)
        tried++
      }
      return tried
    })()
    this.pumping = run
    const done = (): void => {
      if (this.pumping === run) this.pumping = undefined
    }
    run.then(done, done)
    return run
  }

  private async send(delivery: DueDelivery): Promise<void> {
    const attempts = delivery.attempts + 1
    let error: string
    let status: number | null = null
    if (!this.allowed(delivery.url)) error = `${delivery.url} is no longer under webhooks.allow`
    else
      try {
        const response = await fetch(delivery.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-outpost-event': delivery.event,
            'x-outpost-delivery': String(delivery.id),
            [TIMESTAMP_HEADER]: String(Math.floor(this.now() / 1000)),
            [SIGNATURE_HEADER]: signBody(delivery.secret, delivery.payload),
          },
          body: delivery.payload,
          // A redirect could lead anywhere: only the allowlisted address is ever called.
          redirect: 'error',
          signal: AbortSignal.timeout(10_000),
        })
        status = response.status
        await response.body?.cancel()
        if (response.ok) {
          this.deps.repo.settle(delivery.id, {
            status: 'delivered',
            attempts,
            next_attempt_at: null,
            last_error: null,
            response_status: status,
            delivered_at: this.now(),
          })
          return
        }
        error = `answered HTTP ${status}`
      } catch (cause) {
        const e = cause as Error & { cause?: { code?: string } }
        error = e.cause?.code ? `${e.message} (${e.cause.code})` : e.message
      }
    const dead = attempts >= this.deps.config.max_attempts || !this.allowed(delivery.url)
    if (dead)
      this.deps.log.warn('webhook delivery dead-lettered', { id: delivery.id, url: delivery.url, error })
    this.deps.repo.settle(delivery.id, {
      status: dead ? 'dead' : 'pending',
      attempts,
      next_attempt_at: dead
        ? null
        : this.now() +
          Math.round(this.deps.config.retry_base_s * 1000 * 2 ** (attempts - 1) * (0.5 + this.random())),
      last_error: dead ? `after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${error}` : error,
      response_status: status,
      delivered_at: null,
    })
  }

  private soon(): void {
    setImmediate(
      () =>
        void this.pump().catch((e: Error) => this.deps.log.error('webhooks failed', { error: e.message })),
    )
  }

  /** Retries come due while Outpost runs: looked for every second. */
  start(): void {
    this.timer = setInterval(() => {
      const next = this.deps.repo.nextDue()
      if (next !== undefined && next <= this.now()) this.soon()
    }, 1000)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    await this.pumping
  }
}
