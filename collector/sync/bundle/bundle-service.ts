/**
 * Signed bundles for removable media: records exported from one installation and imported on
 * another, and content (rule packs, ATT&CK, IOC watchlists) installed with versions and rollback.
 * Everything is verified before anything is stored; each import is one SQLite transaction.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import type { Database } from 'better-sqlite3'
import {
  ContractError,
  type BundleExportResult,
  type BundleImportResult,
  type BundleInfo,
  type BundlePreview,
  type ContentVersion,
  type PreviewItem,
  type WatchlistIndicator,
} from '../../contract'
import { AttackBundleError, parseAttackBundle } from '../../attack/parse-bundle'
import { fileKeys } from '../../detect/rule-book'
import { readRuleTexts } from '../../detect/rule-files'
import type { Audited } from '../../detect/rule-calls'
import { AttackRepo } from '../../store/sqlite/attack-repo'
import { RulesRepo } from '../../store/sqlite/rules-repo'
import {
  KeyError,
  TrustedKeysRepo,
  formatPublicKey,
  loadSigningKey,
  type KeyScope,
  type SigningKey,
} from '../keys/keys'
import { applyToLocal } from '../apply-local'
import { ContentSyncError, decodePulledContent } from '../content-sync'
import { SyncStore } from '../connector/sync-store'
import { RecordStore } from '../core/record-store'
import { PUSH_KINDS, resolveConflict, type SyncRecord } from '../records'
import type { SyncLoaders } from '../sync-service'
import {
  canonicalJson,
  sha256,
  verifyBundle,
  writeBundle,
  type ContentType,
  type Entry,
  type VerifiedBundle,
} from './format'
import { collectLocalRecords, markCarried, type PushKind } from './local-records'
import { WatchlistError, parseWatchlist, type Indicator } from './watchlist'

export type BundleMode = 'two-way' | 'export-only' | 'import-only'

export type BundleServiceOptions = {
  db: Database
  dataDir: string
  audited: Audited
  mode: BundleMode
  /** Where evidence files live (<data dir>/evidence). */
  evidenceDir: string
  /** Called after a rule pack was installed or rolled back (the detector reloads its rules). */
  rulesChanged?: () => void
  /** A watchlist (its list name) was installed or rolled back: IOC matching reloads that list. */
  watchlistChanged?: (list: string) => void
  /** Called after an import committed, with the objects it made or changed in the local tables. */
  objectsChanged?: (objects: ReadonlyArray<{ kind: SyncRecord['kind']; id: string }>) => void
  /**
   * Online sync on this data dir (sync-service.ts): bundles carry its version line and outbox, and
   * imported records go through its record store. Without it, a console's own (tests).
   */
  sync?: BundleSync
}

export type BundleSync = {
  store: SyncStore
  records: RecordStore
  /**
   * A core's record store makes each winner into its own tables (and announces it) itself; on a
   * console the bundle service does that.
   */
  core: boolean
  /** How online sync reads each kind, so both channels send the same bodies. */
  loaders?: SyncLoaders
}

const RECORDS_ENTRY = 'records.ndjson.gz'
const CONTENT_ENTRY = 'content.json.gz'
const EVIDENCE_PREFIX = 'evidence/'
const MAX_ITEMS = 1000

type ContentPayload =
  | { type: 'rule-pack'; files: Array<{ path: string; text: string }>; license: string | null }
  | { type: 'attack'; bundle: unknown }
  | { type: 'watchlist'; indicators: Indicator[] }

type ContentRow = {
  type: ContentType
  name: string
  version: string
  bundle_id: string
  signer: string
  payload: Buffer
  installed_at: number
  active: number
}

const toContentVersion = (row: ContentRow): ContentVersion => ({
  type: row.type,
  name: row.name,
  version: row.version,
  bundle_id: row.bundle_id,
  signer: row.signer,
  installed_at: new Date(row.installed_at).toISOString(),
  active: row.active === 1,
})

const PUSH_SET: ReadonlySet<string> = new Set(PUSH_KINDS)

/** Top-level body fields whose values differ (canonical JSON of each). */
const differingFields = (a: Record<string, unknown>, b: Record<string, unknown>): string[] =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((key) => canonicalJson(a[key] ?? null) !== canonicalJson(b[key] ?? null))
    .sort()

const bodyHash = (body: unknown): string => sha256(Buffer.from(canonicalJson(body)))

export class BundleService {
  private signingKey: SigningKey | undefined
  readonly keys: TrustedKeysRepo
  private readonly sync: BundleSync

  constructor(private readonly options: BundleServiceOptions) {
    this.keys = new TrustedKeysRepo(options.db)
    this.sync = options.sync ?? {
      store: new SyncStore(options.db),
      records: new RecordStore(options.db),
      core: false,
    }
    if (!options.sync) this.sync.store.useBundles(options.mode === 'export-only')
  }

  /**
   * bundles.mode changed on a running Outpost: the next export or import is checked against it
   * (with online sync, the sync service decides whether bundles are an outbox channel).
   */
  setMode(mode: BundleMode): void {
    this.options.mode = mode
    if (!this.options.sync) this.sync.store.useBundles(mode === 'export-only')
  }

  /** This installation's key, made on first use. */
  key(): SigningKey {
    try {
      this.signingKey ??= loadSigningKey(this.options.dataDir)
    } catch (error) {
      if (error instanceof KeyError) throw new ContractError('internal', error.message)
      throw error
    }
    return this.signingKey
  }

  /** The origin records carry: this data dir's sync node id, as online sync sends them. */
  origin(): string {
    return this.sync.store.nodeId()
  }

  showKey(): { key_id: string; public_key: string; fingerprint: string } {
    const key = this.key()
    return { key_id: key.keyId, public_key: formatPublicKey(key.publicKey), fingerprint: key.fingerprint }
  }

  trust(name: string, publicKey: string, scope: KeyScope) {
    return this.keyChange(() =>
      this.options.audited(
        (key) => ({
          action: 'trust',
          object_type: 'key',
          object_id: key.name,
          details: { key_id: key.key_id, scope: key.scope, fingerprint: key.fingerprint },
        }),
        () => this.keys.trust(name, publicKey, scope),
      ),
    )
  }

  revoke(name: string) {
    return this.keyChange(() =>
      this.options.audited(
        (key) => ({
          action: 'revoke',
          object_type: 'key',
          object_id: key.name,
          details: { key_id: key.key_id },
        }),
        () => this.keys.revoke(name),
      ),
    )
  }

  private keyChange<T>(run: () => T): T {
    try {
      return run()
    } catch (error) {
      if (error instanceof KeyError)
        throw new ContractError(
          /no trusted key/.test(error.message) ? 'not_found' : 'invalid_request',
          error.message,
        )
      throw error
    }
  }

  private refuseIn(mode: BundleMode, what: string): void {
    if (this.options.mode === mode)
      throw new ContractError(
        'unsupported',
        `this installation is ${mode} (bundles.mode in config.yaml): it does not ${what}; set bundles.mode: two-way to allow it`,
      )
  }

  private async writeOut(out: string, bytes: Buffer, signal?: AbortSignal): Promise<void> {
    // Written beside the target, then renamed: removable media never hold half a bundle. A
    // cancel before the rename removes the partial file: nothing is left at `out`.
    const temp = `${out}.partial`
    signal?.throwIfAborted()
    try {
      await writeFile(temp, bytes, { signal })
      signal?.throwIfAborted()
      await rename(temp, out)
    } catch (error) {
      await rm(temp, { force: true })
      if (signal?.aborted) throw error
      throw new ContractError('invalid_request', `cannot write ${out}: ${(error as Error).message}`)
    }
  }

  private exported(
    out: string,
    bytes: Buffer,
    manifest: { bundle_id: string; version: string },
    counts: Record<string, number>,
  ): BundleExportResult {
    return {
      file: out,
      bundle_id: manifest.bundle_id,
      version: manifest.version,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      counts,
    }
  }

  /**
   * A records bundle. `outbox`: the outbox entries no bundle carried yet, as online sync queued
   * them (the bundle delivery channel; its cursor moves once the file is written). Otherwise a
   * selection read from the tables: everything, what changed since a time, or (`since` N) what
   * changed after this side's bundle N; on the same version line as online sync.
   */
  async exportRecords(
    req: {
      out: string
      since?: string | undefined
      kinds?: readonly PushKind[] | undefined
      outbox?: boolean | undefined
    },
    signal?: AbortSignal,
  ) {
    this.refuseIn('import-only', 'export bundles')
    const db = this.options.db
    const exportSeq =
      ((db.prepare('SELECT max(seq) FROM bundle_exports').pluck().get() as number | null) ?? 0) + 1
    if (req.outbox && (req.since !== undefined || req.kinds !== undefined))
      throw new ContractError(
        'invalid_request',
        '--outbox carries every outbox entry no bundle carried yet: leave out --since and --kinds (or drop --outbox to export a selection)',
      )
    // --since takes a time or the number of an earlier bundle from here (what changed after it).
    const afterExport = req.since !== undefined && /^\d+$/.test(req.since) ? Number(req.since) : undefined
    if (afterExport !== undefined && afterExport >= exportSeq)
      throw new ContractError(
        'invalid_request',
        `--since ${afterExport}: this installation has written ${exportSeq - 1} records bundles so far; name one of them or a time`,
      )
    if (req.since !== undefined && afterExport === undefined && Number.isNaN(Date.parse(req.since)))
      throw new ContractError(
        'invalid_request',
        `--since "${req.since}" is neither an ISO-8601 time (e.g. 2026-12-01 or 2026-12-01T08:00:00Z) nor the number of an earlier bundle`,
      )
    const origin = this.origin()
    // Outbox entries keep their idempotency keys: the core stores a record once whichever
    // channel brings it first.
    const pending = req.outbox ? this.sync.store.bundleDue() : []
    const lastSeq = pending.at(-1)?.seq
    const due = pending.filter((row) => PUSH_SET.has(row.kind))
    const local = req.outbox
      ? {
          records: due.map((row) => ({ ...row.record, key: row.key })),
          evidence: due.flatMap((row) =>
            row.kind === 'evidence' && typeof row.record.body.sha256 === 'string'
              ? [row.record.body.sha256]
              : [],
          ),
        }
      : collectLocalRecords(db, {
          since: afterExport === undefined ? req.since : undefined,
          afterExport,
          exportSeq,
          kinds: new Set<PushKind>(req.kinds ?? PUSH_KINDS),
          store: this.sync.store,
          loaders: this.sync.loaders,
        })
    const entries: Entry[] = [
      {
        name: RECORDS_ENTRY,
        data: gzipSync(Buffer.from(local.records.map((r) => JSON.stringify(r) + '\n').join(''))),
      },
    ]
    for (const hash of local.evidence) {
      const file = join(this.options.evidenceDir, hash)
      if (existsSync(file)) entries.push({ name: EVIDENCE_PREFIX + hash, data: await readFile(file) })
    }
    const counts: Record<string, number> = {
      records: local.records.length,
      evidence_files: entries.length - 1,
    }
    for (const record of local.records) counts[record.kind] = (counts[record.kind] ?? 0) + 1
    // A records bundle's version is its number here: the receiver can say which one it has.
    const { bytes, manifest } = writeBundle(
      { kind: 'records', version: String(exportSeq), origin, counts, entries },
      this.key(),
    )
    await this.writeOut(req.out, bytes, signal)
    // Only now, with the signed file complete at `out`, does the bundle channel count as having
    // carried the entries (a data-diode console's outbox drains here).
    const store = this.sync.store
    db.transaction(() => {
      const before = store.lastSeq()
      this.options.audited(
        {
          action: 'export',
          object_type: 'bundle',
          object_id: manifest.bundle_id,
          details: {
            file: req.out,
            number: exportSeq,
            since: req.since ?? null,
            outbox: req.outbox === true,
            counts,
          },
        },
        () => {
          db.prepare(
            'INSERT INTO bundle_exports (seq, bundle_id, file, at, records) VALUES (?, ?, ?, ?, ?)',
          ).run(exportSeq, manifest.bundle_id, req.out, Date.now(), local.records.length)
          if (req.outbox) markCarried(db, local.records, exportSeq)
        },
      )
      if (!req.outbox) return
      if (lastSeq !== undefined) store.bundleDelivered(lastSeq)
      // This export's own audit entry, just queued, needs no bundle of its own (the console's
      // audit log keeps it, the core logs the import): otherwise no outbox bundle is ever empty.
      store.bundleSkipOwn(before)
    }).immediate()
    return this.exported(req.out, bytes, manifest, counts)
  }

  async exportContent(
    req: {
      type: ContentType
      in: string
      version: string
      name?: string | undefined
      out: string
    },
    signal?: AbortSignal,
  ) {
    this.refuseIn('import-only', 'export bundles')
    let payload: ContentPayload
    let name = req.name
    const bad = (why: string) => new ContractError('invalid_request', `${req.in}: ${why}`)
    if (req.type === 'rule-pack') {
      const read = await readRuleTexts(req.in, req.name)
      if (read.errors.length > 0) throw bad(read.errors.map((e) => `${e.path}: ${e.reason}`).join('; '))
      const files = read.files.filter((f) => fileKeys(f.text, f.path).length > 0)
      if (files.length === 0) throw bad('no Sigma rule in it loads (outpost rules check PATH shows why)')
      name ??= files[0]!.path.slice(0, files[0]!.path.indexOf('/'))
      payload = { type: 'rule-pack', files, license: read.license }
    } else {
      let text: string
      try {
        text = await readFile(req.in, 'utf8')
      } catch (error) {
        throw new ContractError('not_found', `cannot read ${req.in}: ${(error as Error).message}`)
      }
      if (req.type === 'attack') {
        try {
          const bundle = JSON.parse(text) as unknown
          const parsed = parseAttackBundle(bundle)
          name ??= 'enterprise-attack'
          payload = { type: 'attack', bundle }
          if (parsed.techniques.length === 0) throw bad('no ATT&CK technique in it')
        } catch (error) {
          if (error instanceof ContractError) throw error
          if (error instanceof AttackBundleError || error instanceof SyntaxError) throw bad(error.message)
          throw error
        }
      } else {
        try {
          payload = { type: 'watchlist', indicators: parseWatchlist(text, req.in) }
        } catch (error) {
          if (error instanceof WatchlistError) throw new ContractError('invalid_request', error.message)
          throw error
        }
        name ??= basename(req.in).replace(/\.[^.]*$/, '') || 'watchlist'
      }
    }
    const counts: Record<string, number> =
      payload.type === 'rule-pack'
        ? { files: payload.files.length }
        : payload.type === 'watchlist'
          ? { indicators: payload.indicators.length }
          : { objects: ((payload.bundle as { objects?: unknown[] }).objects ?? []).length }
    const { bytes, manifest } = writeBundle(
      {
        kind: 'content',
        contentType: req.type,
        name,
        version: req.version,
        origin: this.origin(),
        counts,
        entries: [{ name: CONTENT_ENTRY, data: gzipSync(Buffer.from(JSON.stringify(payload))) }],
      },
      this.key(),
    )
    await this.writeOut(req.out, bytes, signal)
    this.options.audited(
      {
        action: 'export',
        object_type: 'bundle',
        object_id: manifest.bundle_id,
        details: { file: req.out, type: req.type, name, version: req.version, counts },
      },
      () => undefined,
    )
    return this.exported(req.out, bytes, manifest, counts)
  }

  /** Reads and verifies a bundle file: signature, signer, every entry. Nothing is stored. */
  async verify(path: string): Promise<VerifiedBundle> {
    let bytes: Buffer
    try {
      bytes = await readFile(path)
    } catch (error) {
      throw new ContractError('not_found', `cannot read ${path}: ${(error as Error).message}`)
    }
    return verifyBundle(bytes, path, (keyId) => this.keys.byKeyId(keyId))
  }

  private info(bundle: VerifiedBundle): BundleInfo {
    const { manifest, signer } = bundle
    return {
      bundle_id: manifest.bundle_id,
      kind: manifest.kind,
      content_type: manifest.content_type,
      name: manifest.name,
      version: manifest.version,
      created_at: manifest.created_at,
      origin: manifest.origin,
      signer: { name: signer.name, key_id: signer.key_id },
      counts: manifest.counts,
    }
  }

  private records(bundle: VerifiedBundle, path: string): SyncRecord[] {
    const data = bundle.entries.get(RECORDS_ENTRY)
    if (!data)
      throw new ContractError('invalid_request', `bundle ${path} refused: it has no ${RECORDS_ENTRY}`)
    const lines = this.unzip(data, RECORDS_ENTRY, path).split('\n').filter(Boolean)
    return lines.map((line, i) => {
      let record: SyncRecord
      try {
        record = JSON.parse(line) as SyncRecord
      } catch {
        throw new ContractError('invalid_request', `bundle ${path} refused: record ${i + 1} is not JSON`)
      }
      if (
        !PUSH_SET.has(record.kind) ||
        typeof record.id !== 'string' ||
        typeof record.version !== 'number' ||
        typeof record.origin !== 'string' ||
        typeof record.updated_at !== 'string' ||
        typeof record.body !== 'object' ||
        record.body === null
      )
        throw new ContractError(
          'invalid_request',
          `bundle ${path} refused: record ${i + 1} is not a SyncRecord`,
        )
      return record
    })
  }

  private content(bundle: VerifiedBundle, path: string): ContentPayload {
    const data = bundle.entries.get(CONTENT_ENTRY)
    if (!data)
      throw new ContractError('invalid_request', `bundle ${path} refused: it has no ${CONTENT_ENTRY}`)
    try {
      return JSON.parse(this.unzip(data, CONTENT_ENTRY, path)) as ContentPayload
    } catch (error) {
      if (error instanceof ContractError) throw error
      throw new ContractError('invalid_request', `bundle ${path} refused: ${CONTENT_ENTRY} is not JSON`)
    }
  }

  /** A signed entry that still does not unzip was made wrongly by its signer: say so. */
  private unzip(data: Buffer, name: string, path: string): string {
    try {
      return gunzipSync(data).toString('utf8')
    } catch (error) {
      throw new ContractError(
        'invalid_request',
        `bundle ${path} refused: ${name} is signed but not gzip (${(error as Error).message})`,
      )
    }
  }

  private alreadyImported(bundleId: string): boolean {
    return (
      this.options.db.prepare('SELECT 1 FROM bundle_imports WHERE bundle_id = ?').get(bundleId) !== undefined
    )
  }

  /**
   * Each record against the version the record store holds (what online pushes and earlier
   * bundles stored): new, changed (a newer version of the same maker's object), unchanged (the
   * same version, or an older one: the stored stays), or a conflict (another maker's version).
   */
  private diffRecords(records: readonly SyncRecord[]): Array<PreviewItem & { record: SyncRecord }> {
    return records.map((record) => {
      const existing = this.sync.records.get(record.kind, record.id)?.record
      const base = {
        record,
        kind: record.kind,
        id: record.id,
        incoming_version: String(record.version),
        stored_version: existing ? String(existing.version) : null,
        stored_origin: existing?.origin ?? null,
      }
      if (!existing) return { ...base, status: 'new' as const, winner: 'incoming' as const, fields: [] }
      const fields = differingFields(existing.body, record.body)
      const same =
        existing.origin === record.origin &&
        existing.version === record.version &&
        existing.deleted === record.deleted &&
        (existing.updated_at === record.updated_at || bodyHash(existing.body) === bodyHash(record.body))
      if (same) return { ...base, status: 'unchanged' as const, winner: 'stored' as const, fields: [] }
      const winner =
        resolveConflict(existing, record) === record ? ('incoming' as const) : ('stored' as const)
      if (existing.origin === record.origin)
        return {
          ...base,
          status: winner === 'incoming' ? ('changed' as const) : ('unchanged' as const),
          winner,
          fields,
        }
      return { ...base, status: 'conflict' as const, winner, fields }
    })
  }

  private contentDiff(bundle: VerifiedBundle): PreviewItem {
    const { manifest } = bundle
    const type = manifest.content_type!
    const name = manifest.name ?? type
    const db = this.options.db
    const same = db
      .prepare('SELECT * FROM content_versions WHERE type = ? AND name = ? AND version = ?')
      .get(type, name, manifest.version) as ContentRow | undefined
    const active = db
      .prepare('SELECT * FROM content_versions WHERE type = ? AND name = ? AND active = 1')
      .get(type, name) as ContentRow | undefined
    const base = {
      kind: type,
      id: name,
      incoming_version: manifest.version,
      stored_version: active?.version ?? null,
      stored_origin: active?.signer ?? null,
      fields: [],
    }
    if (same && same.active === 1) return { ...base, status: 'unchanged', winner: 'stored' }
    return { ...base, status: active ? 'changed' : 'new', winner: 'incoming' }
  }

  private counts(items: readonly PreviewItem[]): BundlePreview['counts'] {
    const counts = { new: 0, changed: 0, unchanged: 0, conflict: 0 }
    for (const item of items) counts[item.status]++
    return counts
  }

  private present(items: ReadonlyArray<PreviewItem & { record?: SyncRecord }>): PreviewItem[] {
    const order = { conflict: 0, changed: 1, new: 2, unchanged: 3 }
    return [...items]
      .sort((a, b) => order[a.status] - order[b.status])
      .slice(0, MAX_ITEMS)
      .map(({ record: _record, ...item }) => item)
  }

  async preview(path: string): Promise<BundlePreview> {
    this.refuseIn('export-only', 'import bundles')
    const bundle = await this.verify(path)
    const items =
      bundle.manifest.kind === 'records'
        ? this.diffRecords(this.records(bundle, path))
        : [this.contentDiff(bundle)]
    if (bundle.manifest.kind === 'content') this.content(bundle, path)
    return {
      bundle: this.info(bundle),
      already_imported: this.alreadyImported(bundle.manifest.bundle_id),
      counts: this.counts(items),
      items: this.present(items),
    }
  }

  /**
   * A cancel (`signal`) is honoured up to the one transaction that applies the bundle: before it
   * nothing is applied (evidence files already written are named by their hash, kept for a retry).
   */
  async import(path: string, signal?: AbortSignal): Promise<BundleImportResult> {
    this.refuseIn('export-only', 'import bundles')
    const bundle = await this.verify(path)
    signal?.throwIfAborted()
    return bundle.manifest.kind === 'records'
      ? this.importRecords(bundle, path, signal)
      : this.importContent(bundle, path)
  }

  private async importRecords(
    bundle: VerifiedBundle,
    path: string,
    signal?: AbortSignal,
  ): Promise<BundleImportResult> {
    const records = this.records(bundle, path)
    // Evidence bytes first (named by their SHA-256, so a leftover file is never wrong), then the
    // records in one transaction.
    for (const [name, data] of bundle.entries) {
      if (!name.startsWith(EVIDENCE_PREFIX)) continue
      const hash = name.slice(EVIDENCE_PREFIX.length)
      if (!/^[0-9a-f]{64}$/.test(hash) || sha256(data) !== hash)
        throw new ContractError(
          'invalid_request',
          `bundle ${path} refused: entry ${name} is not named by its SHA-256`,
        )
      const file = join(this.options.evidenceDir, hash)
      if (existsSync(file)) continue
      await mkdir(this.options.evidenceDir, { recursive: true })
      await writeFile(`${file}.partial`, data)
      await rename(`${file}.partial`, file)
      signal?.throwIfAborted()
    }
    signal?.throwIfAborted()
    const { manifest, signer } = bundle
    const now = Date.now()
    const before = this.alreadyImported(manifest.bundle_id)
    const changedObjects: Array<{ kind: SyncRecord['kind']; id: string }> = []
    const result = this.options.audited(
      (done: { items: PreviewItem[]; applied: number }) => ({
        action: 'import',
        object_type: 'bundle',
        object_id: manifest.bundle_id,
        details: {
          file: path,
          kind: 'records',
          signer: signer.key_id,
          origin: manifest.origin,
          ...this.counts(done.items),
          applied: done.applied,
        },
      }),
      () => {
        const items = this.diffRecords(records)
        // The same apply as an online push (idempotency key, merge, conflict rule): a record that
        // came online already, or a bundle imported again, is a duplicate and changes nothing.
        const results = this.sync.records.applyAll(
          records.map((record) => ({ record, key: this.keyOf(record) })),
        )
        let applied = 0
        results.forEach((result, i) => {
          const item = items[i]!
          const after = this.sync.records.get(item.kind as SyncRecord['kind'], item.id)?.record
          if (result.outcome === 'duplicate' || !after) return
          if (item.stored_version === String(after.version) && item.stored_origin === after.origin) return
          applied++
          // A core's record store made the winner into its tables already (and announces it).
          if (this.sync.core) return
          if (applyToLocal(this.options.db, after, now) !== 'skipped')
            changedObjects.push({ kind: after.kind, id: after.id })
        })
        this.recordImport(bundle, items, now)
        return { items, applied }
      },
    )
    if (changedObjects.length > 0) this.options.objectsChanged?.(changedObjects)
    return {
      bundle: this.info(bundle),
      already_imported: before,
      counts: this.counts(result.items),
      items: this.present(result.items),
      applied: result.applied,
    }
  }

  /**
   * The idempotency key a bundled record is applied under: the outbox key it was queued with
   * (the one an online push of it uses), or one made of its version for a selection bundle.
   */
  private keyOf(record: SyncRecord & { key?: unknown }): string {
    return typeof record.key === 'string' && record.key.length > 0 && record.key.length <= 300
      ? record.key
      : `${record.origin}:${record.kind}:${record.id}:${record.version}`
  }

  private recordImport(bundle: VerifiedBundle, items: readonly PreviewItem[], now: number): void {
    const counts = this.counts(items)
    this.options.db
      .prepare(
        `INSERT INTO bundle_imports (bundle_id, kind, signer, origin, imported_at, new_count, changed)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bundle_id) DO NOTHING`,
      )
      .run(
        bundle.manifest.bundle_id,
        bundle.manifest.kind,
        bundle.signer.key_id,
        bundle.manifest.origin,
        now,
        counts.new,
        counts.changed + counts.conflict,
      )
  }

  private importContent(bundle: VerifiedBundle, path: string): BundleImportResult {
    const { manifest, signer } = bundle
    const type = manifest.content_type
    if (!type)
      throw new ContractError(
        'invalid_request',
        `bundle ${path} refused: a content bundle without a content type`,
      )
    const payload = this.content(bundle, path)
    if (payload.type !== type)
      throw new ContractError(
        'invalid_request',
        `bundle ${path} refused: it says ${type} but carries ${payload.type}`,
      )
    const name = manifest.name ?? type
    const db = this.options.db
    const packed = gzipSync(Buffer.from(JSON.stringify(payload)))
    const existing = db
      .prepare('SELECT * FROM content_versions WHERE type = ? AND name = ? AND version = ?')
      .get(type, name, manifest.version) as ContentRow | undefined
    if (
      existing &&
      existing.bundle_id !== manifest.bundle_id &&
      bodyHash(this.unpack(existing)) !== bodyHash(payload)
    )
      throw new ContractError(
        'conflict',
        `${type} "${name}" version ${manifest.version} is already installed with different content; export the new content with a new --version`,
      )
    const item = this.contentDiff(bundle)
    const now = Date.now()
    const applied =
      item.status === 'unchanged'
        ? 0
        : this.options.audited(
            {
              action: 'install',
              object_type: 'content',
              object_id: `${type}/${name}`,
              details: {
                version: manifest.version,
                from: item.stored_version,
                bundle_id: manifest.bundle_id,
                signer: signer.key_id,
                file: path,
              },
            },
            () => {
              const previous = this.activePayload(type, name)
              this.apply(name, payload, manifest.version, previous)
              db.prepare('UPDATE content_versions SET active = 0 WHERE type = ? AND name = ?').run(type, name)
              db.prepare(
                `INSERT INTO content_versions (type, name, version, bundle_id, signer, payload, installed_at, active)
                 VALUES (?, ?, ?, ?, ?, ?, ?, 1)
                 ON CONFLICT (type, name, version) DO UPDATE SET active = 1`,
              ).run(type, name, manifest.version, manifest.bundle_id, signer.key_id, packed, now)
              this.recordImport(bundle, [item], now)
              return 1
            },
          )
    if (applied && type === 'rule-pack') this.options.rulesChanged?.()
    if (applied && type === 'watchlist') this.options.watchlistChanged?.(name)
    return {
      bundle: this.info(bundle),
      already_imported: applied === 0,
      counts: this.counts([item]),
      items: [item],
      applied,
    }
  }

  /**
   * A content record pulled from the team core (content-sync.ts), installed as importContent
   * installs a bundle's content: the same stores, a content_versions row made active, audited. In
   * the caller's transaction (the pull's). 'unchanged' when that version is already the active one;
   * a removal changes nothing (content is rolled back, never removed). Throws ContentSyncError
   * when the record is refused; nothing of it is then installed.
   */
  installPulledContent(record: SyncRecord): 'installed' | 'unchanged' {
    if (record.deleted) return 'unchanged'
    const pulled = decodePulledContent(record)
    const { type, name, version } = pulled
    const db = this.options.db
    const existing = db
      .prepare('SELECT * FROM content_versions WHERE type = ? AND name = ? AND version = ?')
      .get(type, name, version) as ContentRow | undefined
    const payload = JSON.parse(gunzipSync(pulled.packed).toString('utf8')) as ContentPayload
    if (existing && bodyHash(this.unpack(existing)) !== bodyHash(payload))
      throw new ContentSyncError(
        `content ${record.id}: version ${version} is installed here with different content; the core's stays in the inbox (roll it back here or have the core install a new version)`,
      )
    if (existing?.active === 1) return 'unchanged'
    const active = db
      .prepare('SELECT version FROM content_versions WHERE type = ? AND name = ? AND active = 1')
      .get(type, name) as { version: string } | undefined
    this.options.audited(
      {
        action: 'install',
        object_type: 'content',
        object_id: record.id,
        details: {
          version,
          from: active?.version ?? null,
          bundle_id: pulled.bundle_id,
          signer: pulled.signer,
          core: record.origin,
        },
      },
      () => {
        new AttackRepo(db).replace(pulled.parsed)
        db.prepare('UPDATE content_versions SET active = 0 WHERE type = ? AND name = ?').run(type, name)
        db.prepare(
          `INSERT INTO content_versions (type, name, version, bundle_id, signer, payload, installed_at, active)
           VALUES (?, ?, ?, ?, ?, ?, ?, 1)
           ON CONFLICT (type, name, version) DO UPDATE SET active = 1`,
        ).run(type, name, version, pulled.bundle_id, pulled.signer, pulled.packed, Date.now())
      },
    )
    return 'installed'
  }

  private unpack(row: ContentRow): ContentPayload {
    return JSON.parse(gunzipSync(row.payload).toString('utf8')) as ContentPayload
  }

  private activePayload(type: ContentType, name: string): ContentPayload | undefined {
    const row = this.options.db
      .prepare('SELECT * FROM content_versions WHERE type = ? AND name = ? AND active = 1')
      .get(type, name) as ContentRow | undefined
    return row && this.unpack(row)
  }

  /** Installs content through the existing stores; inside the caller's transaction. */
  private apply(
    name: string,
    payload: ContentPayload,
    version: string,
    previous: ContentPayload | undefined,
  ): void {
    const db = this.options.db
    if (payload.type === 'rule-pack') {
      const rules = new RulesRepo(db)
      const keep = new Set(payload.files.map((f) => f.path))
      // Files of the version being replaced that the new one no longer has go away.
      if (previous?.type === 'rule-pack')
        for (const file of previous.files) if (!keep.has(file.path)) rules.deleteFile(file.path)
      const keys = payload.files.flatMap((f) => fileKeys(f.text, f.path))
      rules.putFiles(
        payload.files.map((f) => ({
          path: f.path,
          text: f.text,
          origin: 'imported' as const,
          license: payload.license,
        })),
        keys,
        true,
      )
    } else if (payload.type === 'attack') {
      try {
        new AttackRepo(db).replace(parseAttackBundle(payload.bundle))
      } catch (error) {
        if (error instanceof AttackBundleError)
          throw new ContractError('invalid_request', `ATT&CK content: ${error.message}`)
        throw error
      }
    } else {
      db.prepare('DELETE FROM watchlist_indicators WHERE list = ?').run(name)
      const insert = db.prepare(
        `INSERT INTO watchlist_indicators (list, type, value, source, valid_from, valid_until, version, level)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (list, type, value) DO NOTHING`,
      )
      for (const i of payload.indicators)
        insert.run(
          name,
          i.type,
          i.value,
          i.source,
          i.valid_from ?? null,
          i.valid_until,
          version,
          i.level ?? null,
        )
    }
  }

  contentList(): ContentVersion[] {
    return (
      this.options.db
        .prepare('SELECT * FROM content_versions ORDER BY type, name, installed_at DESC, version DESC')
        .all() as ContentRow[]
    ).map(toContentVersion)
  }

  rollback(req: { type: ContentType; name?: string | undefined; to?: string | undefined }): {
    from: ContentVersion
    to: ContentVersion
  } {
    const db = this.options.db
    const actives = db
      .prepare(
        'SELECT rowid AS rid, * FROM content_versions WHERE type = ? AND active = 1 AND (? IS NULL OR name = ?)',
      )
      .all(req.type, req.name ?? null, req.name ?? null) as Array<ContentRow & { rid: number }>
    if (actives.length === 0)
      throw new ContractError(
        'not_found',
        `no ${req.type} content${req.name ? ` named "${req.name}"` : ''} is installed from a bundle`,
      )
    if (actives.length > 1)
      throw new ContractError(
        'invalid_request',
        `several ${req.type} packs are installed (${actives.map((a) => a.name).join(', ')}): say which with --name`,
      )
    const active = actives[0]!
    const target = (
      req.to !== undefined
        ? db
            .prepare('SELECT * FROM content_versions WHERE type = ? AND name = ? AND version = ?')
            .get(active.type, active.name, req.to)
        : db
            .prepare(
              `SELECT * FROM content_versions WHERE type = @type AND name = @name
                 AND (installed_at < @at OR (installed_at = @at AND rowid < @rid))
               ORDER BY installed_at DESC, rowid DESC LIMIT 1`,
            )
            .get({ type: active.type, name: active.name, at: active.installed_at, rid: active.rid })
    ) as ContentRow | undefined
    if (!target)
      throw new ContractError(
        'not_found',
        req.to !== undefined
          ? `${active.type} "${active.name}" has no installed version ${req.to} (outpost bundle content list shows them)`
          : `${active.type} "${active.name}" has no version before ${active.version} to roll back to`,
      )
    if (target.version === active.version)
      throw new ContractError(
        'invalid_request',
        `${active.type} "${active.name}" ${active.version} is already the active version`,
      )
    this.options.audited(
      {
        action: 'rollback',
        object_type: 'content',
        object_id: `${active.type}/${active.name}`,
        details: { from: active.version, to: target.version },
      },
      () => {
        this.apply(active.name, this.unpack(target), target.version, this.unpack(active))
        db.prepare('UPDATE content_versions SET active = 0 WHERE type = ? AND name = ?').run(
          active.type,
          active.name,
        )
        db.prepare('UPDATE content_versions SET active = 1 WHERE type = ? AND name = ? AND version = ?').run(
          active.type,
          active.name,
          target.version,
        )
      },
    )
    if (active.type === 'rule-pack') this.options.rulesChanged?.()
    if (active.type === 'watchlist') this.options.watchlistChanged?.(active.name)
    return {
      from: toContentVersion({ ...active, active: 0 }),
      to: toContentVersion({ ...target, active: 1 }),
    }
  }

  watchlist(req: { list?: string | undefined; limit: number; sort?: 'list' | 'hits' | 'last_hit' }): {
    indicators: WatchlistIndicator[]
    total: number
  } {
    const db = this.options.db
    const where = req.list === undefined ? '' : 'WHERE w.list = @list'
    const params = { list: req.list ?? null, limit: req.limit }
    const total = db.prepare(`SELECT count(*) FROM watchlist w ${where}`).pluck().get(params) as number
    const order = {
      list: 'w.list, w.type, w.value',
      hits: 'hits DESC, h.last_hit_at DESC, w.list, w.type, w.value',
      last_hit: 'h.last_hit_at IS NULL, h.last_hit_at DESC, w.list, w.type, w.value',
    }[req.sort ?? 'list']
    const rows = db
      // Content-bundle lists, the analyst's and the TAXII sources' indicators (the watchlist view,
      // migration 0029) with their hit counts.
      .prepare(
        `SELECT w.*, coalesce(h.hits, 0) AS hits, h.last_hit_at FROM watchlist w
         LEFT JOIN watchlist_hits h ON h.list = w.list AND h.type = w.type AND h.value = w.value
         ${where} ORDER BY ${order} LIMIT @limit`,
      )
      .all(params) as Array<Omit<WatchlistIndicator, 'last_hit_at'> & { last_hit_at: number | null }>
    const indicators = rows.map((r) => ({
      ...r,
      last_hit_at: r.last_hit_at === null ? null : new Date(r.last_hit_at).toISOString(),
    }))
    return { indicators, total }
  }
}
