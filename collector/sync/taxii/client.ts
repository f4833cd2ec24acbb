/**
 * Pulls STIX indicators from configured TAXII 2.1 collections, page by page, into
 * taxii_indicators. The cursor (the last X-TAXII-Date-Added-Last seen) moves in the same
 * transaction as the page's indicators, so a pull cut short resumes where it stopped.
 */
import { readFileSync } from 'node:fs'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Database } from 'better-sqlite3'
import type { Logger } from '../../host/log'
import { objectsUrl, type TaxiiSourceConfig } from './config'
import type { TaxiiIndicatorsRepo, TaxiiSourceState } from './indicators-repo'
import { extractIndicator, type SkipReason } from './patterns'
import { TAXII_MEDIA_TYPE } from './server'
import { markingTlp } from './tlp'

export type PullResult = {
  source: string
  /** Indicators stored new or updated. */
  stored: number
  /** Revoked indicators removed. */
  removed: number
  skipped: Partial<Record<SkipReason, number>>
  pages: number
  error: string | null
}

export type TaxiiSourceStatus = TaxiiSourceState & {
  url: string
  interval_s: number
  running: boolean
}

/** A pull stops after this many pages (a server that never says "no more"). */
const MAX_PAGES = 10_000
const TIMEOUT_MS = 30_000
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024

type Response = { status: number; headers: IncomingHttpHeaders; body: unknown }

export class TaxiiRequestError extends Error {
  override name = 'TaxiiRequestError'
}

const authorization = (source: TaxiiSourceConfig): Record<string, string> =>
  source.token !== undefined
    ? { authorization: `Bearer ${source.token}` }
    : source.username !== undefined
      ? {
          authorization: `Basic ${Buffer.from(`${source.username}:${source.password ?? ''}`).toString('base64')}`,
        }
      : {}

/** GET a TAXII resource: JSON back, or an error naming the server's own TAXII error message. */
export const taxiiGet = (url: URL, source: TaxiiSourceConfig): Promise<Response> =>
  new Promise((resolve, reject) => {
    let ca: Buffer | undefined
    if (source.ca_file !== undefined) {
      try {
        ca = readFileSync(source.ca_file)
      } catch (error) {
        reject(new TaxiiRequestError(`cannot read ca_file ${source.ca_file}: ${(error as Error).message}`))
        return
      }
    }
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest
    const req = request(
      url,
      {
        method: 'GET',
        headers: { accept: TAXII_MEDIA_TYPE, ...authorization(source) },
        timeout: TIMEOUT_MS,
        ...(ca && { ca }),
      },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(new TaxiiRequestError(`response over ${MAX_RESPONSE_BYTES} bytes`))
            return
          }
          chunks.push(chunk)
        })
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let body: unknown
          try {
            body = text.trim() === '' ? {} : JSON.parse(text)
          } catch {
            body = undefined
          }
          const status = res.statusCode ?? 0
          if (status !== 200) {
            const e = body as { title?: unknown; description?: unknown } | undefined
            const said = [e?.title, e?.description].filter((v) => typeof v === 'string').join(': ')
            reject(
              new TaxiiRequestError(
                `${url.origin}${url.pathname} answered ${status}${said ? ` (${said})` : ''}`,
              ),
            )
            return
          }
          if (body === undefined) {
            reject(new TaxiiRequestError(`${url.origin}${url.pathname} answered something that is not JSON`))
            return
          }
          resolve({ status, headers: res.headers, body })
        })
      },
    )
    req.on('timeout', () =>
      req.destroy(new TaxiiRequestError(`no answer from ${url.origin} in ${TIMEOUT_MS / 1000} s`)),
    )
    req.on('error', (error) =>
      reject(
        error instanceof TaxiiRequestError ? error : new TaxiiRequestError(`${url.origin}: ${error.message}`),
      ),
    )
    req.end()
  })

type Envelope = { more: boolean; next: string | undefined; objects: unknown[] }

const envelope = (body: unknown): Envelope => {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new TaxiiRequestError('the objects endpoint answered something that is not a TAXII envelope')
  const b = body as { more?: unknown; next?: unknown; objects?: unknown }
  if (b.objects !== undefined && !Array.isArray(b.objects))
    throw new TaxiiRequestError('the envelope\'s "objects" is not a list')
  return {
    more: b.more === true,
    next: typeof b.next === 'string' && b.next !== '' ? b.next : undefined,
    objects: (b.objects as unknown[] | undefined) ?? [],
  }
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null)

export type TaxiiPullerOptions = {
  sources: readonly TaxiiSourceConfig[]
  repo: TaxiiIndicatorsRepo
  db: Database
  log: Logger
  /** A pull stored or removed indicators: the watchlist changed (IOC matching reloads it). */
  changed?: (source: string) => void
  /** After every pull of a source, whatever it did (a core republishes the source's list). */
  pulled?: (result: PullResult) => void
}

export class TaxiiPuller {
  private readonly running = new Map<string, Promise<PullResult>>()
  private readonly timers = new Map<string, NodeJS.Timeout[]>()
  private stopped = false
  private started = false
  private sources: readonly TaxiiSourceConfig[]

  constructor(private readonly options: TaxiiPullerOptions) {
    this.sources = options.sources
  }

  get configured(): readonly TaxiiSourceConfig[] {
    return this.sources
  }

  /** Pulls each source now and then every interval_s. Does nothing without sources. */
  start(firstDelayMs = 5_000): void {
    this.started = true
    for (const source of this.sources) this.schedule(source, firstDelayMs)
  }

  /**
   * taxii.sources changed on a running Outpost: a source added or changed is pulled after
   * `firstDelayMs` and then on its interval; one removed is pulled no more (a pull under way
   * finishes); one unchanged keeps its timers. Each source's cursor is kept by name.
   */
  setSources(sources: readonly TaxiiSourceConfig[], firstDelayMs = 1_000): void {
    const before = new Map(this.sources.map((s) => [s.name, JSON.stringify(s)]))
    this.sources = sources
    const kept = new Set<string>()
    for (const source of sources)
      if (before.get(source.name) === JSON.stringify(source) && this.timers.has(source.name))
        kept.add(source.name)
    for (const [name, timers] of this.timers)
      if (!kept.has(name)) {
        for (const timer of timers) clearInterval(timer)
        this.timers.delete(name)
      }
    if (!this.started || this.stopped) return
    for (const source of sources) if (!kept.has(source.name)) this.schedule(source, firstDelayMs)
  }

  private schedule(source: TaxiiSourceConfig, firstDelayMs: number): void {
    const run = (): void => {
      if (!this.stopped && this.sources.includes(source)) void this.pull(source.name)
    }
    const first = setTimeout(run, firstDelayMs)
    const every = setInterval(run, source.interval_s * 1000)
    first.unref()
    every.unref()
    this.timers.set(source.name, [first, every])
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const timers of this.timers.values()) for (const timer of timers) clearInterval(timer)
    this.timers.clear()
    await Promise.allSettled(this.running.values())
  }

  status(): TaxiiSourceStatus[] {
    return this.sources.map((source) => ({
      ...this.options.repo.state(source.name),
      url: objectsUrl(source).href,
      interval_s: source.interval_s,
      running: this.running.has(source.name),
    }))
  }

  /**
   * One pull of one source; a pull already running is joined, not doubled. A failed pull resolves
   * with its error (and records it); only an unknown name throws.
   */
  pull(name: string): Promise<PullResult> {
    const source = this.sources.find((s) => s.name === name)
    if (!source) throw new RangeError(`no TAXII source named ${name}`)
    const current = this.running.get(name)
    if (current) return current
    const run = this.pullOnce(source).finally(() => this.running.delete(name))
    this.running.set(name, run)
    return run
  }

  private async pullOnce(source: TaxiiSourceConfig): Promise<PullResult> {
    const { repo, db, log } = this.options
    const result: PullResult = {
      source: source.name,
      stored: 0,
      removed: 0,
      skipped: {},
      pages: 0,
      error: null,
    }
    const startedAt = Date.now()
    try {
      const base = objectsUrl(source)
      let addedAfter = repo.cursor(source.name)
      let next: string | undefined
      while (!this.stopped || result.pages === 0) {
        if (result.pages >= MAX_PAGES)
          throw new TaxiiRequestError(`still more after ${MAX_PAGES} pages: stopped, the next pull goes on`)
        const url = new URL(base)
        url.searchParams.set('match[type]', 'indicator')
        url.searchParams.set('limit', String(source.page_size))
        if (addedAfter !== null) url.searchParams.set('added_after', addedAfter)
        if (next !== undefined) url.searchParams.set('next', next)
        const response = await taxiiGet(url, source)
        const page = envelope(response.body)
        result.pages++
        const lastHeader = response.headers['x-taxii-date-added-last']
        const last =
          typeof lastHeader === 'string' && !Number.isNaN(Date.parse(lastHeader)) ? lastHeader : null
        db.transaction(() => {
          for (const object of page.objects) this.take(source.name, object, result)
          if (last !== null) repo.advance(source.name, last)
        })()
        if (!page.more) break
        if (page.next !== undefined) next = page.next
        else if (last !== null && last !== addedAfter) {
          // A server without `next` pages by date added (TAXII 2.1, 3.7).
          addedAfter = last
          next = undefined
        } else
          throw new TaxiiRequestError(
            'the server says there is more but gives no way to ask for it (no next)',
          )
      }
    } catch (error) {
      result.error = (error as Error).message
      log.warn('taxii pull failed', { source: source.name, error: result.error })
    }
    repo.finish(source.name, {
      at: startedAt,
      error: result.error,
      stored: result.stored,
      skipped: result.skipped,
    })
    if (result.error === null)
      log.info('taxii pull', { source: source.name, stored: result.stored, pages: result.pages })
    // Pages are committed one by one: a pull that failed midway may still have changed the list.
    if (result.stored > 0 || result.removed > 0) this.options.changed?.(source.name)
    try {
      this.options.pulled?.(result)
    } catch (error) {
      log.warn('taxii: handling a finished pull failed', {
        source: source.name,
        error: (error as Error).message,
      })
    }
    return result
  }

  private take(source: string, object: unknown, result: PullResult): void {
    const skip = (reason: SkipReason): void => {
      result.skipped[reason] = (result.skipped[reason] ?? 0) + 1
    }
    if (object === null || typeof object !== 'object') return skip('malformed')
    const o = object as Record<string, unknown>
    // Servers may ignore match[type]: anything else in the page is not ours to count.
    if (o.type !== 'indicator') return
    const id = str(o.id)
    const modified = str(o.modified) ?? str(o.created)
    if (id === null || !id.startsWith('indicator--') || modified === null) return skip('malformed')
    if (o.revoked === true) {
      if (this.options.repo.remove(source, id)) result.removed++
      return
    }
    const pattern = str(o.pattern)
    if (pattern === null) return skip('malformed')
    const extracted = extractIndicator(pattern, str(o.pattern_type) ?? 'stix')
    if (!extracted.ok) return skip(extracted.reason)
    const changed = this.options.repo.put(source, {
      stix_id: id,
      modified,
      type: extracted.type,
      value: extracted.value,
      name: str(o.name),
      valid_from: str(o.valid_from),
      valid_until: str(o.valid_until),
      tlp: markingTlp(o.object_marking_refs),
    })
    if (changed) result.stored++
  }
}
