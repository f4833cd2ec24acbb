import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Database } from 'better-sqlite3'
import { ContractError, type AuditEntry, type CallRes, type ParsedReq, type SyncStatus } from '../contract'
import { applyToLocal } from './apply-local'
import { applyPulledRecord } from './connector/apply-pulled'
import { Connector } from './connector/connector'
import { SyncRequestError, type SyncEndpoint } from './connector/http-client'
import { SyncStore, type SyncConflict } from './connector/sync-store'
import { SyncConsoles } from './core/consoles'
import { localKey, RecordStore } from './core/record-store'
import { createSyncApi, type SyncApi } from './core/sync-api'
import { coreMerger } from './core/core-merger'
import { isMergedKind, MERGED_SCALARS, scalarsOf, withUnion } from './merge'
import type { NatsConfig } from './nats/config'
import { coreNatsQueue } from './nats/core-queue'
import type { SharedEvidence } from './nats/shared-evidence'
import { NatsOutboxPublisher } from './nats/outbox-publisher'
import { PUSH_KINDS, type SyncKind, type SyncRecord } from './records'
import type { BundleMode } from './bundle/bundle-service'
import { publishedListId } from './watchlist-sync'
import { contentRecordId } from './content-sync'
import { ANALYST_LIST } from '../detect/ioc/watchlist-calls'

export type SyncRole = 'console' | 'core'

/** sync_state key: the role the data dir was last served with (outpost serve --role). */
export const SERVED_ROLE = 'served_role'

/**
 * A data dir's role: the one it was last served with; one served before that was recorded is a
 * core's when consoles are registered on it (outpost sync consoles add runs on a core).
 */
export const dataDirRole = (db: Database): SyncRole => {
  const saved = db.prepare('SELECT value FROM sync_state WHERE key = ?').pluck().get(SERVED_ROLE)
  if (saved === 'core' || saved === 'console') return saved
  const consoles = db.prepare('SELECT count(*) FROM sync_consoles').pluck().get() as number
  return consoles > 0 ? 'core' : 'console'
}

/**
 * Applies one pulled record to the console's own tables, inside the pull's transaction; false
 * leaves it in sync_inbox (keyed by kind, id and version) for later.
 */
export type PulledApplier = (record: SyncRecord) => boolean

/** Reads one object as it syncs (its contract shape); undefined when it is gone. */
export type SyncLoaders = Partial<Record<SyncKind, (id: string) => Record<string, unknown> | undefined>>

export type ConnectorSettings = {
  url: string | null
  token: string | null
  ca_file: string | null
  cert_file: string | null
  key_file: string | null
  interval_s: number
}

export type SyncServiceOptions = {
  db: Database
  /** false: the connector pushes and pulls only when asked (tests); default true. */
  loop?: boolean
  role: SyncRole
  dataDir: string
  connector: ConnectorSettings
  loaders: SyncLoaders
  evidenceDir: string
  maxEvidenceBytes: number
  changed: (status: SyncStatus) => void
  /** On a core: objects pushed or replicated here and applied to its tables, after the apply. */
  objectsChanged?: (objects: ReadonlyArray<{ kind: SyncKind; id: string }>) => void
  log: (message: string, fields?: Record<string, string | number | boolean | null | undefined>) => void
  /** NATS JetStream: a console with it enabled publishes its outbox there too (a core consumes). */
  nats?: NatsConfig
  /** A team core replica's evidence bucket (nats/shared-evidence.ts). */
  sharedEvidence?: SharedEvidence
  /** How often inventory changes (sync_dirty) move to the outbox, and how many at a time. */
  inventory?: { intervalMs: number; batch: number }
  /**
   * bundles.mode; on an export-only console (a data diode) bundles written with --outbox are a
   * delivery channel of the outbox, and the core channel counts only when a core is configured.
   */
  bundleMode?: BundleMode
}

type SyncCall =
  | 'sync:status'
  | 'sync:connect'
  | 'sync:disconnect'
  | 'sync:push-now'
  | 'sync:pull-now'
  | 'sync:conflicts'
  | 'sync:resolve'
type SyncHandlers = { [K in SyncCall]: (req: ParsedReq<K>) => CallRes<K> | Promise<CallRes<K>> }

const PUSHED = new Set<string>(PUSH_KINDS)
const SHA256 = /^[0-9a-f]{64}$/

/** A client certificate and its key, checked to belong together before anything is sent. */
const checkClientPair = (certPem: string, keyPem: string): void => {
  let cert: X509Certificate
  try {
    cert = new X509Certificate(certPem)
  } catch {
    throw new ContractError('invalid_request', 'cert_pem: not a PEM certificate')
  }
  let key
  try {
    key = createPrivateKey(keyPem)
  } catch (error) {
    throw new ContractError(
      'invalid_request',
      `key_pem: not an unencrypted PEM private key (${(error as Error).message}); decrypt it with openssl pkey -in KEY -out KEY.plain`,
    )
  }
  if (!cert.checkPrivateKey(key))
    throw new ContractError(
      'invalid_request',
      'key_pem: this key does not belong to the certificate in cert_pem',
    )
}

const readPem = (dataDir: string, file: string | null, setting: string): string | undefined => {
  if (!file) return undefined
  const path = resolve(dataDir, file)
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new ContractError(
      'invalid_request',
      `connector.${setting}: cannot read ${path}: ${(error as Error).message}`,
    )
  }
}

/** Where a core keeps the evidence files consoles pushed (one file per SHA-256). */
export const syncEvidenceDir = (dataDir: string): string => join(dataDir, 'sync', 'evidence')

/** Who made a merge on a replica of the team core of `site`: the same on every replica. */
export const teamOrigin = (site: string): string => `outpost-team-${site}`

/**
 * Sync in one place, for the composition root: the outbox hooks (called inside the transaction
 * of each change), the connector (console side), the record store and sync API (core side), and
 * the sync:* calls.
 */
export const createSyncService = (options: SyncServiceOptions) => {
  const { db, role } = options
  const store = new SyncStore(db)
  const nodeId = store.nodeId()
  // A console's second delivery channel: the same outbox, its own cursor (sync-store.ts). A core
  // replica publishes what reached it another way than the stream instead (see coreNatsQueue), so
  // the others have it.
  let natsConfig = options.nats
  const publisher = (config: NatsConfig | undefined): NatsOutboxPublisher | null =>
    config?.enabled
      ? new NatsOutboxPublisher({
          store: role === 'console' ? store : coreNatsQueue(db, store),
          config,
          changed: () => options.changed(status()),
          log: options.log,
          ...(role === 'core' ? { name: `outpost-core-${config.replica}` } : {}),
        })
      : null
  let nats = publisher(natsConfig)
  let bundleMode: BundleMode = options.bundleMode ?? 'two-way'
  /** start() ran with its loop (and stop() has not): a publisher made later starts at once. */
  let running = false
  // A core queues nothing (and drops what earlier versions of it queued for no one).
  store.queueOutbox(role === 'console')
  store.useNats(role === 'console' && nats !== null)
  const useBundles = (): void =>
    store.useBundles(
      role === 'console' && bundleMode === 'export-only',
      () => store.state('connection') !== null || savedEndpointConfigured(),
    )
  useBundles()
  // A core shows consoles' work in its own views: each pushed (or replicated) record that wins
  // is applied to its tables in the same transaction. Its own records are already there.
  let appliedHere: Array<{ kind: SyncKind; id: string }> = []
  const announce = (): void => {
    const objects = appliedHere
    appliedHere = []
    options.objectsChanged?.(objects)
  }
  // Set while a core records its own analyst's edit of a synced object (already in its tables).
  let recordingLocalEdit = false
  const records: RecordStore = new RecordStore(
    db,
    Date.now,
    role === 'core'
      ? (record) => {
          if (record.kind === 'operation' || record.kind === 'mission') {
            // Another replica's operation or mission (over NATS): into this core's tables too, at
            // its version, so an edit here builds on it. Not published again: not made here.
            if (record.origin === nodeId) return
            applyPulledRecord(db, record)
            store.setSynced(record.kind, record.id, record.version)
            return
          }
          if (!PUSHED.has(record.kind)) return
          // A version this core made: its own edit is in its tables already; a merge is not.
          if (record.origin === nodeId && (recordingLocalEdit || !isMergedKind(record.kind))) return
          let outcome
          try {
            outcome = applyToLocal(db, record)
          } catch (error) {
            // The record stays stored (and pullable); one odd body must not refuse a console's
            // whole batch forever. applyToLocal rolled its own part back.
            options.log('sync: a pushed record could not be applied to local tables', {
              kind: record.kind,
              id: record.id,
              error: (error as Error).message,
            })
            return
          }
          if (outcome === 'skipped') return
          // Announced once the apply (synchronous, one transaction) has returned; a rolled-back
          // batch only makes views reload what did not change.
          if (appliedHere.length === 0) queueMicrotask(announce)
          appliedHere.push({ kind: record.kind, id: record.id })
        }
      : undefined,
    // Replicas of one team core make the same merge of the same two versions (core-merger.ts).
    role === 'core'
      ? coreMerger(
          () => records,
          () => (natsConfig?.enabled ? teamOrigin(natsConfig.site) : nodeId),
        )
      : undefined,
  )
  // A replica relays while NATS is on (setNats switches it).
  const relay = (): void => records.relayForStream(role === 'core' && nats ? () => nats?.wake() : null)
  relay()
  const consoles = new SyncConsoles(db)
  const api: SyncApi | null =
    role === 'core'
      ? createSyncApi({
          records,
          consoles,
          coreId: nodeId,
          evidenceDir: syncEvidenceDir(options.dataDir),
          maxEvidenceBytes: options.maxEvidenceBytes,
          ...(options.sharedEvidence ? { sharedEvidence: options.sharedEvidence } : {}),
        })
      : null

  const localRecord = (kind: SyncKind, id: string): SyncRecord | null => {
    const body = options.loaders[kind]?.(id)
    const version = store.version(kind, id)
    if (!body || !version) return null
    return {
      kind,
      id,
      version: version.version,
      updated_at: typeof body.updated_at === 'string' ? body.updated_at : new Date().toISOString(),
      origin: nodeId,
      deleted: false,
      body,
    }
  }

  const status = (): SyncStatus => {
    const s = connector.status()
    const saved = store.state('connection')
    const c = options.connector
    const url = saved
      ? (JSON.parse(saved) as SyncEndpoint).url
      : c.token || (c.cert_file && c.key_file)
        ? c.url
        : null
    return {
      role,
      node_id: nodeId,
      configured: url !== null,
      url,
      console_id: s.console_id,
      role_on_core: s.role,
      queue_depth: s.queue_depth,
      conflicts: s.conflicts,
      last_success: s.last_success,
      last_error: s.last_error,
      next_retry: s.next_retry,
      cursor: s.cursor,
      nats: nats?.status() ?? {
        enabled: false,
        connected: false,
        servers: [],
        site: natsConfig?.site ?? '',
        queue_depth: 0,
        last_success: null,
        last_error: null,
        next_retry: null,
      },
      bundles: bundleStatus(),
    }
  }

  const bundleStatus = (): SyncStatus['bundles'] => {
    const channel = role === 'console' && bundleMode === 'export-only'
    const last = db.prepare('SELECT max(at) FROM bundle_exports').pluck().get() as number | null
    return {
      mode: bundleMode,
      channel,
      queue_depth: channel ? store.bundleDepth() : 0,
      last_export: last === null ? null : new Date(last).toISOString(),
    }
  }

  /**
   * NATS settings changed on a running Outpost: the publisher in use stops (closing its
   * connection) and one made from `config` starts. Its cursor is in SQLite and moves only after a
   * PubAck, so nothing queued is lost; a record published twice around the switch is stored once
   * (same Nats-Msg-Id within the duplicate window).
   */
  let natsSwitch: Promise<void> = Promise.resolve()
  const setNats = (config: NatsConfig): Promise<void> => {
    natsSwitch = natsSwitch.then(async () => {
      const old = nats
      nats = null
      await old?.stop()
      natsConfig = config
      nats = publisher(config)
      relay()
      // Enabled: entries HTTP delivered stay for NATS from here; disabled: only the others count.
      store.useNats(role === 'console' && nats !== null)
      if (running) nats?.start()
      options.changed(status())
    })
    return natsSwitch
  }

  /** Engines that apply pulled kinds (rule packs, watchlists, content): see registerApplier. */
  const appliers = new Map<SyncKind, PulledApplier>()

  const connector: Connector = new Connector({
    db,
    store,
    localRecord,
    applyPulled: (record) =>
      appliers.get(record.kind)?.(record) ??
      (isMergedKind(record.kind) ? applyPulledBack(record) : applyPulledRecord(db, record)),
    evidenceFile: async (sha) => {
      if (!SHA256.test(sha)) return null
      return readFile(join(options.evidenceDir, sha)).catch(() => null)
    },
    changed: () => options.changed(status()),
    log: options.log,
  })

  /**
   * Records pulled before their kind had an applier (an older Outpost left them in sync_inbox):
   * applied in the order they were pulled, each leaving the inbox once applied.
   */
  const applyWaiting = (): void => {
    if (role !== 'console') return
    try {
      db.transaction(() => {
        for (const [kind, apply] of appliers)
          for (const record of store.inbox(kind))
            if (apply(record)) store.dropInboxBelow(kind, record.id, record.version + 1)
      })()
    } catch (error) {
      options.log('sync: applying pulled records waiting in the inbox failed', {
        error: (error as Error).message,
      })
    }
  }

  const queue = (kind: SyncKind, id: string): void => {
    if (coreEdit(kind, id)) return
    const body = options.loaders[kind]?.(id)
    store.enqueue(kind, id, body ?? {}, body === undefined)
  }

  /**
   * On a core, an analyst's edit of an incident or alert a console pushed here: a new version in
   * the record store (above the stored one, made by this core) that consoles pull. False when the
   * object is not a synced one here.
   */
  function coreEdit(kind: SyncKind, id: string): boolean {
    if (role !== 'core' || !isMergedKind(kind)) return false
    const stored = records.get(kind, id)
    const here = stored ? options.loaders[kind]?.(id) : undefined
    if (!stored || !here) return false
    // With what the stored version holds that this core's tables do not show (another side's
    // timeline actions), so the edit is a fast-forward and nothing is dropped.
    const body = withUnion(kind, here, stored.record.body) ?? here
    const version = stored.record.version + 1
    recordingLocalEdit = true
    try {
      records.apply(
        {
          kind,
          id,
          version,
          updated_at: new Date().toISOString(),
          origin: nodeId,
          deleted: false,
          body,
          base: stored.record.version,
        },
        localKey(nodeId, kind, id, version),
      )
    } finally {
      recordingLocalEdit = false
    }
    return true
  }

  /**
   * On a console, a pulled (or merged) version of its own incident or alert, written into its
   * tables without passing through the outbox (so it is not pushed back).
   */
  const applyPulledBack = (record: SyncRecord): boolean => {
    try {
      if (applyToLocal(db, record) === 'skipped') return true
    } catch (error) {
      options.log('sync: a pulled record could not be applied to local tables', {
        kind: record.kind,
        id: record.id,
        error: (error as Error).message,
      })
      return true
    }
    if (appliedHere.length === 0) queueMicrotask(announce)
    appliedHere.push({ kind: record.kind, id: record.id })
    return true
  }

  /**
   * A local change of an operation or mission (on a core also of a watchlist): on a core,
   * published for consoles to pull.
   */
  const localPullKind = (kind: SyncKind, id: string): void => {
    const version = store.bumpVersion(kind, id)
    if (role !== 'core') return
    const body = options.loaders[kind]?.(id)
    const record: SyncRecord = {
      kind,
      id,
      version,
      updated_at: typeof body?.updated_at === 'string' ? body.updated_at : new Date().toISOString(),
      origin: nodeId,
      deleted: body === undefined,
      body: body ?? {},
    }
    records.apply(record, localKey(nodeId, kind, id, version))
    store.markSynced(kind, id, version)
  }

  /** Called by `audited` inside the change's transaction, with the entry just appended. */
  const onAudit = (entry: AuditEntry): void => {
    store.enqueue('audit', `${nodeId}:${entry.seq}`, entry)
    const type = entry.object_type
    const id = entry.object_id
    if (type === 'incident' && id) queue('incident', id)
    else if (type === 'report' && id) queue('report', id)
    else if (type === 'asset' && id) queue('asset', id)
    else if ((type === 'operation' || type === 'mission') && id) localPullKind(type, id)
    else if (role === 'core' && type === 'watchlist')
      localPullKind('watchlist', publishedListId(ANALYST_LIST))
    else if (role === 'core' && type === 'content' && id?.startsWith('watchlist/'))
      // A list installed (or rolled back) from a content bundle: consoles pull the list as it is now.
      localPullKind('watchlist', publishedListId(id.slice('watchlist/'.length)))
    else if (role === 'core' && type === 'content' && id?.startsWith('rule-pack/'))
      localPullKind('rule-pack', id.slice('rule-pack/'.length))
    else if (role === 'core' && type === 'content' && id && contentRecordId(id))
      // ATT&CK installed (or rolled back) from a content bundle: consoles install the active version.
      localPullKind('content', id)
    else if (type === 'alert') {
      const ids = Array.isArray(entry.details.ids) ? (entry.details.ids as unknown[]) : id ? [id] : []
      const incidents = new Set<string>()
      for (const alertId of ids) {
        if (typeof alertId !== 'string') continue
        queue('alert', alertId)
        const incident = options.loaders.alert?.(alertId)?.incident_id
        if (typeof incident === 'string') incidents.add(incident)
      }
      for (const incident of incidents) queue('incident', incident)
    }
    connector.wake()
    nats?.wake()
  }

  /**
   * Called inside the asset indexer's flush with the assets it counted events on: marked dirty
   * (one row per asset, however many events), queued later by drainInventory at a bounded rate.
   */
  const onInventory = (assetIds: readonly string[]): void => {
    if (role === 'console' && assetIds.length > 0) store.markDirty('asset', assetIds)
  }

  /** Moves up to `batch` dirty objects to the outbox (each replacing its queued version). */
  const drainInventory = (batch = options.inventory?.batch ?? 200): number => {
    const taken = db.transaction(() => {
      const rows = store.takeDirty(batch)
      for (const { kind, id } of rows) queue(kind, id)
      return rows.length
    })()
    if (taken > 0) {
      connector.wake()
      nats?.wake()
    }
    return taken
  }
  let inventoryTimer: NodeJS.Timeout | undefined

  /** Called inside the detector's transaction for each alert it raises or folds into. */
  const onAlertRaised = (id: string, newIncident: string | null): void => {
    queue('alert', id)
    if (newIncident) queue('incident', newIncident)
  }

  /** The stored connection the connector was last configured from (JSON), to notice another process's. */
  let inUse: string | null = null
  let watcher: ReturnType<typeof setInterval> | undefined

  function savedEndpointConfigured(): boolean {
    const c = options.connector
    return Boolean(c.url && (c.token || (c.cert_file && c.key_file)))
  }

  const savedEndpoint = (): SyncEndpoint | null => {
    const saved = store.state('connection')
    if (saved) return JSON.parse(saved) as SyncEndpoint
    const c = options.connector
    // A token, or a client certificate (its CN is the console's name on the core).
    if (!c.url || (!c.token && !(c.cert_file && c.key_file))) return null
    return {
      url: c.url,
      token: c.token ?? '',
      ca: readPem(options.dataDir, c.ca_file, 'ca_file'),
      cert: readPem(options.dataDir, c.cert_file, 'cert_file'),
      key: readPem(options.dataDir, c.key_file, 'key_file'),
    }
  }

  const failure = (error: unknown): never => {
    if (error instanceof SyncRequestError)
      throw new ContractError(error.status === 0 ? 'unavailable' : 'invalid_request', error.message)
    throw error
  }

  /**
   * A clash the core's merge settled (an incident or alert): the merged version is here already,
   * so taking the remote changes nothing; keeping ours makes a new version of the object as it is
   * now with our values of the clashed fields, applied here and pushed.
   */
  const resolveMerged = (conflict: SyncConflict, choose: 'local' | 'remote'): void => {
    if (choose === 'remote') return
    const { kind, object_id: id } = conflict
    const current = options.loaders[kind]?.(id)
    if (!current) throw new ContractError('not_found', `${kind} ${id} is no longer here`)
    const clashes = conflict.remote.clashes ?? MERGED_SCALARS[kind] ?? []
    const body = structuredClone(current)
    const target = scalarsOf(kind, body)
    const mine = scalarsOf(kind, conflict.local.body)
    for (const field of clashes) if (field in mine) target[field] = mine[field]
    applyToLocal(db, store.enqueue(kind, id, body))
  }

  const resolve = (id: number, choose: 'local' | 'remote') => {
    const conflict = store.conflict(id)
    if (conflict.resolved_at)
      throw new ContractError('conflict', `sync conflict ${id} was resolved already (${conflict.resolution})`)
    db.transaction(() => {
      if (isMergedKind(conflict.kind)) resolveMerged(conflict, choose)
      else if (choose === 'remote') connector.take(conflict.remote)
      else {
        const version =
          Math.max(store.version(conflict.kind, conflict.object_id)?.version ?? 0, conflict.remote.version) +
          1
        const local: SyncRecord = {
          ...conflict.local,
          version,
          updated_at: new Date().toISOString(),
          origin: nodeId,
        }
        if (PUSHED.has(conflict.kind)) {
          store.setSynced(conflict.kind, conflict.object_id, conflict.remote.version)
          db.prepare('UPDATE sync_versions SET version = ? WHERE kind = ? AND id = ?').run(
            version,
            conflict.kind,
            conflict.object_id,
          )
          // Queued last: its header (updated_at) is the one a bundle carrying this version repeats.
          store.enqueueRecord(local)
        } else {
          // A pulled kind: the console keeps its version here (the core's stays the core's).
          applyPulledRecord(db, local)
          store.setSynced(conflict.kind, conflict.object_id, conflict.remote.version)
          db.prepare('UPDATE sync_versions SET version = ? WHERE kind = ? AND id = ?').run(
            version,
            conflict.kind,
            conflict.object_id,
          )
        }
      }
      store.markResolved(id, choose)
    })()
    options.changed(status())
    connector.wake()
    return store.conflict(id)
  }

  const handlers: SyncHandlers = {
    'sync:status': () => status(),
    'sync:connect': async (req) => {
      const endpoint: SyncEndpoint = {
        url: req.url,
        token: req.token ?? '',
        ...(req.ca_pem ? { ca: req.ca_pem } : {}),
        ...(req.cert_pem && req.key_pem ? { cert: req.cert_pem, key: req.key_pem } : {}),
      }
      if (endpoint.url.startsWith('http://') && req.ca_pem)
        throw new ContractError('invalid_request', 'ca_pem: a CA only applies to an https:// core URL')
      if (endpoint.cert) {
        if (endpoint.url.startsWith('http://'))
          throw new ContractError(
            'invalid_request',
            'cert_pem: a client certificate only applies to an https:// core URL',
          )
        checkClientPair(endpoint.cert, endpoint.key!)
      }
      const hello = await connector.hello(endpoint).catch(failure)
      const saved = JSON.stringify(endpoint)
      store.setState('connection', saved)
      inUse = saved
      store.setState('console_id', hello.console_id)
      store.setState('role', hello.role)
      store.setState('core_id', hello.core_id)
      connector.configure(endpoint, options.connector.interval_s * 1000, options.loop ?? true)
      options.changed(status())
      return status()
    },
    'sync:disconnect': () => {
      for (const key of ['connection', 'console_id', 'role', 'core_id', 'last_error']) store.clearState(key)
      inUse = null
      connector.configure(null)
      options.changed(status())
      return status()
    },
    'sync:push-now': async () => {
      const result = await connector.pushNow(true).catch(failure)
      return { ...result, status: status() }
    },
    'sync:pull-now': async () => {
      const result = await connector.pullNow().catch(failure)
      return { ...result, status: status() }
    },
    'sync:conflicts': (req) => ({ conflicts: store.conflicts({ open: req.open, limit: req.limit }) }),
    'sync:resolve': (req) => ({ conflict: resolve(req.id, req.choose) }),
  }

  return {
    store,
    records,
    consoles,
    connector,
    api,
    nodeId,
    onAudit,
    onAlertRaised,
    handlers,
    status,
    onInventory,
    drainInventory,
    /**
     * On a core, a new version of a pulled kind made here without an audited change (a TAXII pull's
     * indicators), for consoles to pull; in its own transaction. Nothing on a console.
     */
    publishLocal(kind: SyncKind, id: string): void {
      if (role !== 'core') return
      db.transaction(() => localPullKind(kind, id))()
      connector.wake()
      nats?.wake()
    },
    /**
     * Hands pulled records of one kind (rule-pack, watchlist, content…) to the engine that applies
     * them; until one is registered they wait in sync_inbox (`store.inbox(kind)`).
     */
    registerApplier(kind: SyncKind, apply: PulledApplier): void {
      appliers.set(kind, apply)
    },
    /**
     * Starts the connector when one is configured; otherwise nothing opens a socket. With the loop
     * on, a connection stored or removed by another process on this data dir (outpost sync
     * connect|disconnect beside a running Outpost) is taken up within `watchMs`.
     */
    start(options_: { loop?: boolean; watchMs?: number } = {}): void {
      applyWaiting()
      inUse = store.state('connection') ?? null
      const endpoint = savedEndpoint()
      const loop = options_.loop ?? true
      if (endpoint)
        connector.configure(endpoint, options.connector.interval_s * 1000, loop && options.loop !== false)
      if (!loop) return
      running = true
      nats?.start()
      if (role === 'console' && !inventoryTimer) {
        inventoryTimer = setInterval(() => {
          // With no channel the marks wait in sync_dirty (one small row per asset), not in the outbox.
          if (!connector.configured && !nats) return
          try {
            drainInventory()
          } catch (error) {
            options.log('sync: queueing inventory changes failed', { error: (error as Error).message })
          }
        }, options.inventory?.intervalMs ?? 5000)
        inventoryTimer.unref()
      }
      if (watcher) return
      let dataVersion = db.pragma('data_version', { simple: true }) as number
      watcher = setInterval(() => {
        try {
          // Changes only when another connection commits: one cheap pragma a tick.
          const now = db.pragma('data_version', { simple: true }) as number
          if (now === dataVersion) return
          dataVersion = now
          const saved = store.state('connection') ?? null
          if (saved === inUse) return
          inUse = saved
          const next = savedEndpoint()
          connector.configure(next, options.connector.interval_s * 1000, options.loop ?? true)
          options.log(
            next
              ? 'sync: took up the connection stored by another process'
              : 'sync: disconnected by another process',
            { url: next?.url ?? null },
          )
          options.changed(status())
        } catch (error) {
          options.log('sync: cannot read the stored connection', { error: (error as Error).message })
        }
      }, options_.watchMs ?? 2000)
      watcher.unref()
    },
    setNats,
    /** connector.interval_s changed (already set in the config object): the next run is retimed. */
    setInterval(seconds: number): void {
      connector.retime(seconds * 1000)
    },
    /** bundles.mode changed: on a console, whether bundles are a channel that counts. */
    setBundleMode(mode: BundleMode): void {
      bundleMode = mode
      useBundles()
      options.changed(status())
    },
    stop: async () => {
      running = false
      await natsSwitch
      clearInterval(inventoryTimer)
      inventoryTimer = undefined
      if (watcher) clearInterval(watcher)
      watcher = undefined
      await Promise.all([connector.stop(), nats?.stop()])
    },
  }
}

export type SyncService = ReturnType<typeof createSyncService>
