import { SearchRepo } from '../store/sqlite/search-repo'
import { searchHandlers } from '../workspace/search-calls'
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { rm } from 'node:fs/promises'
import {
  ContractError,
  fail,
  isCallName,
  isCoreCall,
  ok,
  parseRequest,
  type CallRes,
  type CoreCallName,
  type Endpoint,
  type EventName,
  type AuditEntry,
  type EventPayload,
  type ParsedReq,
  type Result,
} from '../contract'
import { ImportJobs, type ImportInput } from '../ingest/import/import-jobs'
import { createListeners } from '../ingest/listeners'
import { IngestPipeline, type CommittedBatch } from '../ingest/pipeline'
import { SourceStats } from '../ingest/source-stats'
import { kernelUdpDrops } from '../ingest/udp-drops'
import { syslogEvent } from '../ingest/syslog-event'
import { DuckArchive } from '../store/duckdb/archive'
import { ArchiveHost } from '../archive/archive-host'
import { enforceSqliteRetention, fileBytes } from '../archive/retention'
import { createHuntHandlers, HuntScheduler } from '../hunt/hunt-calls'
import { HuntsRepo } from '../store/sqlite/hunts-repo'
import { agentHandlers, createAgents } from '../agents/agents'
import { portListening } from '../agents/socket-state'
import { attackHandlers } from '../attack/attack-calls'
import { assetHandlers } from '../assets/asset-calls'
import { ASSETS_CURSOR, AssetIndexer } from '../assets/indexer'
import { AssetsRepo } from '../store/sqlite/assets-repo'
import { AttackRepo } from '../store/sqlite/attack-repo'
import { DeadLettersRepo } from '../store/sqlite/dead-letters-repo'
import { AlertsRepo, NotFoundError } from '../store/sqlite/alerts-repo'
import { AuditLog } from '../store/sqlite/audit-repo'
import { ReportsRepo } from '../store/sqlite/reports-repo'
import { reportHandlers } from '../workspace/report-calls'
import { caseHandlers } from '../workspace/case-calls'
import { EvidenceStore } from '../workspace/evidence-store'
import { operationHandlers } from '../workspace/operation-calls'
import { OperationsRepo } from '../store/sqlite/operations-repo'
import { CasesRepo } from '../store/sqlite/cases-repo'
import { RulesRepo } from '../store/sqlite/rules-repo'
import { archiveHistory } from '../archive/history'
import { actionHandlers } from '../actions/action-calls'
import { ActionService } from '../actions/action-service'
import { createExecutorRunner } from '../actions/executor'
import { actionNotification, alertNotification } from '../actions/notifications'
import { WebhookDispatcher } from '../actions/webhooks'
import { ActionsRepo } from '../store/sqlite/actions-repo'
import { NotificationsRepo } from '../store/sqlite/notifications-repo'
import { WebhooksRepo } from '../store/sqlite/webhooks-repo'
import { bundleHandlers } from '../sync/bundle/bundle-calls'
import { BundleService } from '../sync/bundle/bundle-service'
import type { NewNotification } from '../store/sqlite/notifications-repo'
import { Detector } from '../detect/detector'
import { watchlistHandlers } from '../detect/ioc/watchlist-calls'
import { exampleRuleFiles, ruleHandlers, type Audited } from '../detect/rule-calls'
import { fileKeys } from '../detect/rule-book'
import { loadFieldAliases } from '../detect/sigma/field-aliases'
import { loadLogsourceMapping } from '../detect/sigma/logsource'
import { HeartbeatsRepo } from '../store/sqlite/heartbeats-repo'
import { EventsRepo } from '../store/sqlite/events-repo'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { TokensRepo } from '../store/sqlite/tokens-repo'
import { bannerColor, loadConfig, type Config, type ListenerName } from './config'
import { lockDataDir, prepareDataDir } from './data-dir'
import { StartupError, errnoCode } from './errors'
import { silentLogger, type Logger } from './log'
import { osUser } from './os-user'
import { dataFiles, resourceFile } from './paths'
import { loadTlsCredentials } from './tls-files'
import { findUpload } from './uploads'
import { OUTPOST_VERSION } from './version'
import { syncLoaders } from './sync-loaders'
import { syncedAlertEvent } from '../sync/alert-events'
import { settingsHandlers } from './settings'
import { createSyncService, SERVED_ROLE, syncEvidenceDir, type SyncRole } from '../sync/sync-service'
import type { SyncApi } from '../sync/core/sync-api'
import { publishedEntries, type TaxiiEntry } from '../sync/taxii/collection'
import { TaxiiPuller } from '../sync/taxii/client'
import { ContentSyncError } from '../sync/content-sync'
import { publishTaxiiList } from '../sync/taxii-watchlist-sync'
import { TaxiiIndicatorsRepo } from '../sync/taxii/indicators-repo'
import { taxiiHandlers } from '../sync/taxii/taxii-calls'
import { startNatsReplica, type NatsHost } from '../sync/nats/nats-host'
import { SharedEvidence } from '../sync/nats/shared-evidence'
import { installPulledWatchlist } from '../sync/watchlist-sync'
import { installPulledRulePack, RulePackSyncError } from '../sync/rule-pack-sync'
import { TaskCancelledError, TaskRegistry, type TaskHandle, type TaskSpec } from '../tasks/task-registry'
import { OperationTasks } from '../tasks/operation-tasks'

export type CoreOptions = {
  dataDir: string
  log?: Logger
  /** `outpost serve --port 0`: every listener takes a free port too, so parallel runs never collide. */
  ephemeralPorts?: boolean
  /** Path to a better-sqlite3 binary built for this runtime (Electron's utilityProcess). */
  sqliteBinding?: string | undefined
  /** core: `outpost serve --role core`, a team core that also answers the sync API. */
  role?: SyncRole
  /**
   * false: the connector syncs only when asked (sync:push-now, sync:pull-now), never on its own
   * loop; for tests that stage concurrent edits on both sides. Default true.
   */
  syncLoop?: boolean
}

export type PushListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void

export type Core = {
  readonly dataDir: string
  readonly config: Config
  readonly listeners: Readonly<Record<string, Endpoint>>
  readonly role: SyncRole
  /** The sync API a core serves under /sync/v1/ (null on a console). */
  readonly syncApi: SyncApi | null
  /** Validates `raw` against the contract, runs the call, and never throws. */
  call(name: string, raw: unknown): Promise<Result<unknown>>
  /** The TAXII collection's object versions: the STIX objects of the published reports. */
  taxiiEntries(): TaxiiEntry[]
  /** Every pushed event; returns the unsubscribe function. */
  subscribe(listener: PushListener): () => void
  /** Flushes what was received, stops listeners, closes the databases. Idempotent. */
  stop(): Promise<void>
}

type Handlers = { [K in CoreCallName]: (req: ParsedReq<K>) => CallRes<K> | Promise<CallRes<K>> }

const PUSH_BATCH_LIMIT = 100

/** Alert triage names alerts and incidents by id: an unknown one is the caller's not_found. */
const triage = <T>(run: () => T): T => {
  try {
    return run()
  } catch (error) {
    if (error instanceof NotFoundError) throw new ContractError('not_found', error.message)
    throw error
  }
}

/** Outpost's own example rules are stored on the first start; deleting them later is final. */
const seedExampleRules = (rules: RulesRepo): void => {
  if (rules.cursor('examples-seeded') > 0) return
  const examples = exampleRuleFiles(resourceFile('sigma/examples'))
  const keys = examples.flatMap((file) => fileKeys(file.text, file.path))
  rules.putFiles(examples, keys, true)
  rules.setCursor('examples-seeded', 1)
}

/** The composition root: the same core under Electron's utilityProcess, `outpost serve` and tests. */
export const createCore = async (options: CoreOptions): Promise<Core> => {
  const log = options.log ?? silentLogger
  const { dataDir } = options
  const files = dataFiles(dataDir)
  const started = Date.now()
  const cleanups: Array<() => void | Promise<void>> = []
  const unwind = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup()
      } catch (error) {
        log.error('shutdown step failed', { error: (error as Error).message })
      }
    }
  }

  try {
    prepareDataDir(dataDir)
    cleanups.push(lockDataDir(dataDir))
    const config = loadConfig(files.config)

    const sqlite = SqliteStore.open(files.sqlite, {
      synchronous: config.storage.sqlite_synchronous,
      nativeBinding: options.sqliteBinding,
    })
    cleanups.push(() => sqlite.close())
    const aliasesFile = resourceFile('sigma/fields.yaml')
    const aliases = aliasesFile ? loadFieldAliases(aliasesFile) : null
    if (!aliases?.ok)
      throw new StartupError(
        `cannot load the Sigma field aliases: ${aliases ? aliases.errors.join('; ') : 'resources/sigma/fields.yaml not found'}`,
      )
    // DuckDB lives on a thread of its own: the archiver, hunts, dashboards and metrics. Unwound
    // after the listeners and the pipeline stop (cleanups run in reverse): the batch under way
    // finishes and buffered metrics are flushed.
    const archive = await ArchiveHost.start(
      {
        duckdbPath: files.duckdb,
        sqlitePath: sqlite.path,
        sqliteBinding: options.sqliteBinding,
        memoryLimitMb: config.archive.memory_limit_mb,
        aliases: aliases.aliases,
      },
      {
        exportProgress: (progress) => {
          push('hunt:export-progress', progress)
          operationTasks.exportProgress(progress)
        },
        log,
      },
    )
    cleanups.push(() => archive.stop())
    const metrics = archive.metrics
    const events = new EventsRepo(sqlite.db)
    const tokens = new TokensRepo(sqlite.db)
    tokens.ensureDefault()
    const heartbeats = new HeartbeatsRepo(sqlite.db)
    const audit = new AuditLog(sqlite.db)
    const role: SyncRole = options.role ?? 'console'
    // Incidents and alerts that came from elsewhere (a push to this core, NATS, a bundle) and were
    // applied here: every view showing them reloads.
    const syncedObjectsChanged = (objects: ReadonlyArray<{ kind: string; id: string }>): void => {
      for (const { kind, id } of objects) if (kind === 'incident') push('incidents:changed', { id })
      const updated = objects.flatMap(({ kind, id }) => {
        const alert = kind === 'alert' ? alerts.get(id) : undefined
        return alert ? [alert] : []
      })
      if (updated.length > 0) push('alerts:updated', { alerts: updated })
    }
    // Sync: every syncable change is queued in the outbox inside its own transaction (audited
    // below, and alerts the detector raises); the connector opens no socket unless configured.
    // A team core's replicas share the evidence files consoles push to any of them (once NATS is on).
    const sharedEvidence =
      role === 'core' ? new SharedEvidence({ dir: syncEvidenceDir(dataDir), log }) : undefined
    const sync = createSyncService({
      db: sqlite.db,
      role,
      dataDir,
      connector: config.connector,
      loaders: syncLoaders(sqlite.db, { taxiiMaxTlp: () => config.taxii.serve_max_tlp }),
      evidenceDir: files.evidence,
      maxEvidenceBytes: config.storage.max_evidence_bytes,
      changed: (status) => push('sync:changed', status),
      objectsChanged: syncedObjectsChanged,
      log: (message, fields) => log.warn(message, fields),
      // A copy: settings change config.nats in place, and the publisher in use keeps its own.
      nats: { ...config.nats },
      ...(sharedEvidence ? { sharedEvidence } : {}),
      bundleMode: config.bundles.mode,
      loop: options.syncLoop ?? true,
    })
    // So that a CLI command on this data dir knows whose it is (outpost bundle import merges on a core's).
    sync.store.setState(SERVED_ROLE, role)
    // This workstation's operator: the app runs as them (the browser host too, on loopback).
    const actor = osUser()
    // Each change commits with its audit entry; the entry is then pushed, so every view showing
    // the object (another window, another analyst's browser) reloads it.
    // Response actions commit as the local operator who proposed or approved them.
    const auditedBy =
      (who: string): Audited =>
      (entry, change) => {
        let appended: AuditEntry | undefined
        const result = sqlite.db.transaction(() => {
          const value = change()
          appended = audit.append({ ...(typeof entry === 'function' ? entry(value) : entry), actor: who })
          sync.onAudit(appended)
          return value
        })()
        if (appended) push('audit:appended', { entry: appended })
        return result
      }
    const audited: Audited = auditedBy(actor)
    const alerts = new AlertsRepo(sqlite.db)
    alerts.onRaised = sync.onAlertRaised
    let lastAlertSeq = alerts.newestSeq()
    const deadLetters = new DeadLettersRepo(sqlite.db)
    cleanups.push(() => deadLetters.flush())

    const bus = new EventEmitter()
    const push: PushListener = (name, payload) => bus.emit('push', name, payload)
    // Long operations (imports, exports, back-tests, bundles) as tasks: one progress bar and
    // Cancel button each in the console.
    const tasks = new TaskRegistry({ publish: (task) => push('tasks:changed', { task }) })
    const operationTasks = new OperationTasks(tasks, {
      importJob: (jobId) => void imports.cancel(jobId),
      ruleTest: (testId) => void detector.cancelTest(testId),
      huntExport: (exportId) => void hunt.cancel(exportId),
    })
    const onCommitted = (batch: CommittedBatch): void => {
      push('events:appended', {
        total: events.count(),
        events: events.range(batch.first, batch.last, PUSH_BATCH_LIMIT),
      })
      detector.offer(batch.events)
      assetIndexer.offer(batch.events)
      archive.kick()
      if (batch.alerts > 0) {
        const raised = alerts.since(lastAlertSeq, PUSH_BATCH_LIMIT)
        lastAlertSeq = raised[0]?.seq ?? lastAlertSeq
        push('alerts:raised', { alerts: raised })
      }
    }
    const mappingFile = resourceFile('sigma/logsources.yaml')
    const mapping = mappingFile ? loadLogsourceMapping(mappingFile) : null
    if (!mapping?.ok)
      throw new StartupError(
        `cannot load the Sigma logsource mapping: ${mapping ? mapping.errors.join('; ') : 'resources/sigma/logsources.yaml not found'}`,
      )
    const rules = new RulesRepo(sqlite.db)
    seedExampleRules(rules)
    const detector = new Detector({
      db: sqlite.db,
      rules,
      alerts,
      config: config.detection,
      mapping: mapping.mapping,
      aliases: aliases.aliases,
      emit: {
        alerts: (raised) => {
          lastAlertSeq = Math.max(lastAlertSeq, ...raised.map((alert) => alert.seq))
          push('alerts:raised', { alerts: raised })
        },
        rulesChanged: (counts) => push('rules:changed', counts),
        testProgress: (test) => {
          push('rules:test-progress', test)
          operationTasks.ruleTestProgress(test)
        },
      },
      log,
      // Rule tests read months back: the archive up to its watermark, then SQLite.
      history: archiveHistory({
        archived: (cursor, watermark, limit) => archive.archive.history(cursor, watermark, limit),
        watermark: () => archive.watermark,
        sqlite: (cursor, limit) => events.after(cursor, limit),
      }),
    })
    cleanups.push(() => detector.stop())
    // Events stored while Outpost was off (or before a crash) are evaluated now.
    detector.kick()
    // The inventory counts every event, detection enabled or not, from its own cursor.
    const assetIndexer = new AssetIndexer({
      db: sqlite.db,
      rules,
      aliases: aliases.aliases,
      changed: (counts) => push('assets:changed', counts),
      // Inside the flush's transaction: the inventory's changes reach the outbox, coalesced.
      counted: sync.onInventory,
      log,
    })
    cleanups.push(() => assetIndexer.stop())
    assetIndexer.kick()
    const assetsRepo = new AssetsRepo(sqlite.db, alerts)
    const hunt = archive.hunt
    const pipeline = new IngestPipeline(events, onCommitted, config.storage.max_pending_events)
    // Idempotency keys answer retries for a day; older ones are forgotten.
    const DAY = 24 * 3600_000
    events.pruneIdempotencyKeys(DAY)
    const pruner = setInterval(() => events.pruneIdempotencyKeys(DAY), 3600_000)
    pruner.unref()
    cleanups.push(() => clearInterval(pruner))
    cleanups.push(() => pipeline.close())

    // Retention: SQLite keeps archived events storage.hot_days; the archive archive.max_age_days
    // and archive.max_bytes. Hourly, and once shortly after start.
    const retention = {
      hotDays: config.storage.hot_days,
      archiveMaxAgeDays: config.archive.max_age_days,
      archiveMaxBytes: config.archive.max_bytes,
    }
    let retentionRun: Promise<unknown> = Promise.resolve()
    const runRetention = (): void => {
      retentionRun = retentionRun
        .then(async () => ({
          sqliteDeleted: await enforceSqliteRetention(retention, {
            events,
            // Never past what the archive holds, nor what detection or the asset inventory has
            // not read yet.
            safeSeq: () =>
              Math.min(
                archive.watermark,
                rules.cursor(ASSETS_CURSOR),
                config.detection.enabled ? rules.cursor('sigma') : Infinity,
              ),
          }),
          archiveDeleted: await archive.archive.retention(retention),
        }))
        .then((run) => {
          if (run.sqliteDeleted || run.archiveDeleted) log.info('retention', { ...run })
        })
        .catch((error: Error) => log.error('retention failed', { error: error.message }))
    }
    const retentionTimers = [setTimeout(runRetention, 60_000), setInterval(runRetention, 3600_000)]
    for (const timer of retentionTimers) timer.unref()
    cleanups.push(async () => {
      for (const timer of retentionTimers) clearInterval(timer)
      await retentionRun
    })

    const huntsRepo = new HuntsRepo(sqlite.db)
    const scheduler = new HuntScheduler(huntsRepo, hunt, log)
    scheduler.start()
    cleanups.push(() => scheduler.stop())
    const huntHandlers = createHuntHandlers({
      hunt,
      hunts: huntsRepo,
      audited,
      archiver: {
        watermark: () => archive.watermark,
        rate: () => archive.rate,
        error: () => archive.error,
        sqliteNewest: () => events.newestSeq(),
      },
      db: sqlite.db,
      sqlitePath: sqlite.path,
      duckdbPath: files.duckdb,
      retention,
      fileBytes,
      usedBytes: () => archive.archive.usedBytes(),
    })

    const stats = new SourceStats((listener, source, reason, payload) =>
      deadLetters.add(listener, source, reason, payload),
    )
    const listeners: Record<string, Endpoint> = {}
    for (const listener of createListeners(config.listeners, {
      pipeline,
      stats,
      syslogDecode: syslogEvent,
      checkToken: (token) => tokens.check(token),
      heartbeats,
      metrics,
      log,
      ephemeralPorts: options.ephemeralPorts ?? false,
      loadTls: (name) => loadTlsCredentials(name, config.listeners[name], dataDir, files.config),
    })) {
      const configured = config.listeners[listener.name as ListenerName]
      try {
        listeners[listener.name] = await listener.start()
      } catch (error) {
        throw bindError(listener.name, configured.host, configured.port, files.config, error)
      }
      cleanups.push(() => listener.stop())
    }

    // Imported events go through the same pipeline as the listeners', so they show live too.
    // Uploads left by an earlier run were never imported: their browser tab is gone, so drop them.
    await rm(files.uploads, { recursive: true, force: true })
    const uploadPaths = new Set<string>()
    const imports = new ImportJobs({
      sink: async (batch) => {
        await pipeline.submit(batch)
      },
      push: (job) => {
        push('import:progress', job)
        operationTasks.importProgress(job)
      },
      onFinished: async (inputs) => {
        for (const input of inputs.filter((i) => uploadPaths.delete(i.path)))
          await rm(input.path, { force: true })
      },
    })
    cleanups.push(() => imports.close())
    cleanups.push(() => tasks.cancelAll())

    // Response actions, webhooks and notifications. The executor agent (below) carries out the
    // approved actions.
    const casesRepo = new CasesRepo(sqlite.db, alerts)
    const evidenceStore = new EvidenceStore(files.evidence, config.storage.max_evidence_bytes)
    const actionService = new ActionService({
      repo: new ActionsRepo(sqlite.db),
      cases: casesRepo,
      evidence: evidenceStore,
      auditedBy,
      actor,
      config: config.actions,
      changed: (action) => {
        push('actions:changed', { action })
        if (action.incident_id) push('incidents:changed', { id: action.incident_id })
      },
    })
    const webhooksRepo = new WebhooksRepo(sqlite.db)
    const webhooks = new WebhookDispatcher({ repo: webhooksRepo, config: config.webhooks, log })
    webhooks.start()
    cleanups.push(() => webhooks.stop())
    const notifications = new NotificationsRepo(sqlite.db)
    const notify = (input: NewNotification | undefined): void => {
      if (!input || notifications.has(input.kind, input.ref_id)) return
      push('notifications:new', { notification: notifications.add(input, Date.now()) })
    }
    // Every change the core pushes is what webhooks carry and notifications watch.
    const fanOut = (name: EventName, payload: unknown): void => {
      try {
        if (name === 'alerts:raised') {
          const { alerts: raised } = payload as EventPayload<'alerts:raised'>
          webhooks.publish('alert.raised', { alerts: raised })
          for (const alert of raised) notify(alertNotification(alert))
        } else if (name === 'alerts:updated') webhooks.publish('alert.updated', payload)
        else if (name === 'incidents:changed') webhooks.publish('incident.changed', payload)
        else if (name === 'actions:changed') {
          const { action } = payload as EventPayload<'actions:changed'>
          webhooks.publish('action.changed', { action: { ...action, preview: null } })
          notify(actionNotification(action))
        }
      } catch (error) {
        log.error('webhooks or notifications failed', { event: name, error: (error as Error).message })
      }
    }
    bus.on('push', fanOut)
    cleanups.push(() => void bus.off('push', fanOut))

    // The automation agents. Stopped before the stores close (cleanups unwind in reverse), so a
    // running agent is aborted and its run recorded.
    const agents = createAgents({
      db: sqlite.db,
      alerts,
      audited,
      log,
      dataDir,
      changed: (agent) => push('agents:changed', { agent }),
      raised: (raised) => {
        lastAlertSeq = Math.max(lastAlertSeq, ...raised.map((alert) => alert.seq))
        push('alerts:raised', { alerts: raised.slice(0, PUSH_BATCH_LIMIT) })
      },
      monitor: {
        listeners: () =>
          (Object.keys(config.listeners) as ListenerName[])
            .filter((name) => config.listeners[name].enabled)
            .map((name) => {
              const port = listeners[name]?.port ?? null
              // Bound at start, and (where /proc tells) still listening now.
              const up = port !== null && (portListening(port, name.endsWith('_udp') ? 'udp' : 'tcp') ?? true)
              return { name, up, port }
            }),
        queueDepth: () => pipeline.depth,
        archiveLag: () => Math.max(0, events.newestSeq() - archive.watermark),
        sourceStats: () => stats.snapshot(),
        kernelDrops: () =>
          Object.fromEntries(
            Object.entries(listeners)
              .filter(([name]) => name.endsWith('_udp'))
              .map(([name, ep]) => [name, kernelUdpDrops(ep.port) ?? 0]),
          ),
        deadLettersSince: (since) => deadLetters.countSince(since),
        heartbeats: () => heartbeats.list(),
        lastEvents: (since) => events.lastSeenBySource(since),
      },
      // On the archive worker's analytics connection; an aborted run interrupts its query.
      query: (sql, params) => archive.archive.query(sql, params),
      interruptQuery: () => void archive.archive.interruptQuery(),
      executor: createExecutorRunner(actionService),
    })
    agents.start()
    cleanups.push(() => agents.stop())
    // Signed bundles for removable media; a rule pack installed from one reloads the detector.
    const bundles = new BundleService({
      db: sqlite.db,
      dataDir,
      audited,
      mode: config.bundles.mode,
      evidenceDir: files.evidence,
      rulesChanged: () => {
        detector.reload()
        detector.kick()
      },
      watchlistChanged: (list) => detector.reloadWatchlistList(list),
      objectsChanged: syncedObjectsChanged,
      // One version line and one import path with online sync (a core applies through its merge).
      sync: {
        store: sync.store,
        records: sync.records,
        core: role === 'core',
        loaders: syncLoaders(sqlite.db, { taxiiMaxTlp: () => config.taxii.serve_max_tlp }),
      },
    })
    // IOC lists pulled from the team core: installed in the pull's transaction, matched once it
    // has committed.
    sync.registerApplier('watchlist', (record) => {
      const { rejected } = installPulledWatchlist(sqlite.db, record)
      if (rejected > 0)
        log.warn('sync: pulled watchlist indicators left out (not valid)', { list: record.id, rejected })
      queueMicrotask(() => detector.reloadWatchlistList(record.id))
      return true
    })
    // Rule packs pulled from the team core: into the rule store as imported files (the paths each
    // pulled version installed are kept, so the next one removes what it dropped).
    sync.registerApplier('rule-pack', (record) => {
      const key = `pulled_rule_pack:${record.id}`
      const previous = JSON.parse(sync.store.state(key) ?? '[]') as string[]
      try {
        sync.store.setState(key, JSON.stringify(installPulledRulePack(sqlite.db, record, previous)))
      } catch (error) {
        if (!(error instanceof RulePackSyncError)) throw error
        // Kept in sync_inbox: nothing of it is installed.
        log.warn('sync: a pulled rule pack was refused', { pack: record.id, error: error.message })
        return false
      }
      queueMicrotask(() => {
        detector.reload()
        detector.kick()
      })
      return true
    })
    // ATT&CK content pulled from the team core: installed as a content bundle's would be (the
    // same stores, a content version, audited); a refused one stays in sync_inbox, nothing of it
    // installed.
    sync.registerApplier('content', (record) => {
      if (!record.id.startsWith('attack/')) return false
      try {
        bundles.installPulledContent(record)
      } catch (error) {
        if (!(error instanceof ContentSyncError)) throw error
        log.warn('sync: pulled content was refused', { content: record.id, error: error.message })
        return false
      }
      return true
    })
    // A core's TAXII sources' lists, for its consoles: republished when a pull (or time, or the
    // TLP ceiling) changed what is shared.
    const publishTaxii = (source: string): void => {
      if (role !== 'core') return
      try {
        publishTaxiiList(sqlite.db, sync, source, config.taxii.serve_max_tlp)
      } catch (error) {
        log.warn('sync: publishing a TAXII source to consoles failed', {
          source,
          error: (error as Error).message,
        })
      }
    }
    // TAXII 2.1 indicator pulls: only the sources configured (none by default, no connection).
    const taxiiPuller = new TaxiiPuller({
      sources: config.taxii.sources,
      repo: new TaxiiIndicatorsRepo(sqlite.db),
      db: sqlite.db,
      log,
      // Pulled indicators are matched against the events stored from then on (that source's list
      // reloaded, the others kept); a core's lists go on to its consoles.
      changed: (source) => detector.reloadWatchlistList(`taxii:${source}`),
      pulled: (result) => publishTaxii(result.source),
    })
    for (const source of config.taxii.sources) publishTaxii(source.name)
    taxiiPuller.start()
    cleanups.push(() => taxiiPuller.stop())

    // One replica of a team core over NATS JetStream: synced records applied to the record store
    // (the sync service's, so on a core the winners also reach incidents, alerts, reports, assets).
    // A console with nats.enabled publishes its outbox instead (the sync service's NATS channel).
    // Settings can switch it on, off or elsewhere while running (see restartNats).
    let natsReplica: NatsHost | null = null
    const startReplica = (): void => {
      if (config.nats.enabled && role === 'core') {
        const nats = { ...config.nats }
        natsReplica = startNatsReplica({
          config: nats,
          sink: { apply: (record, key, holder) => sync.records.applyFromStream(record, key, holder) },
          log,
          ...(sharedEvidence ? { connected: (nc) => sharedEvidence.attach(nc, nats.replicas) } : {}),
        })
      }
    }
    startReplica()
    // One switch at a time, in the order the settings were saved.
    let natsSwitch: Promise<void> = Promise.resolve()
    const restartNats = (): void => {
      natsSwitch = natsSwitch
        .then(async () => {
          const replica = natsReplica
          natsReplica = null
          // Its durable consumer keeps what was not acknowledged: redelivered to the next one.
          await replica?.stop()
          sharedEvidence?.detach()
          await sync.setNats({ ...config.nats })
          if (!stopping) startReplica()
          log.info('nats settings applied', {
            enabled: config.nats.enabled,
            servers: config.nats.servers.join(','),
          })
        })
        .catch((error: unknown) =>
          log.error('nats settings could not be applied', { error: (error as Error).message }),
        )
    }
    cleanups.push(async () => {
      await natsSwitch
      await natsReplica?.stop()
    })

    const reportsRepo = new ReportsRepo(sqlite.db)
    const reportCalls = reportHandlers(reportsRepo, sqlite.db, audited, actor)
    const caseCalls = caseHandlers(casesRepo, sqlite.db, audited, actor, {
      evidence: evidenceStore,
      uploads: {
        take: async (id) => {
          const upload = await findUpload(files.uploads, id)
          if (!upload || uploadPaths.has(upload.path)) return undefined
          uploadPaths.add(upload.path)
          return upload
        },
        finish: async (path) => {
          uploadPaths.delete(path)
          await rm(path, { force: true })
        },
      },
      changed: (id) => push('incidents:changed', { id }),
    })
    const handlers: Handlers = {
      'system:health': () => ({
        status: 'ok',
        version: OUTPOST_VERSION,
        uptime_s: (Date.now() - started) / 1000,
      }),
      'system:info': () => ({
        version: OUTPOST_VERSION,
        role,
        data_dir: dataDir,
        listeners,
        sqlite: { path: sqlite.path, schema_version: sqlite.schemaVersion, events: events.count() },
        duckdb: {
          path: files.duckdb,
          schema_version: archive.schemaVersion,
          library_version: DuckArchive.libraryVersion(),
        },
        ui: {
          banner: config.ui.banner
            ? { text: config.ui.banner.text, color: bannerColor(config.ui.banner.color) }
            : null,
        },
        settings: {
          config_file: files.config,
          retention: {
            hot_days: config.storage.hot_days,
            archive_max_age_days: config.archive.max_age_days,
            archive_max_bytes: config.archive.max_bytes,
          },
          tls: Object.fromEntries(
            Object.entries(config.listeners).flatMap(([name, l]) =>
              'cert_file' in l
                ? [
                    [
                      name,
                      {
                        enabled: l.enabled,
                        cert_file: l.cert_file,
                        key_file: l.key_file,
                        ca_file: l.ca_file ?? null,
                      },
                    ],
                  ]
                : [],
            ),
          ),
        },
      }),
      'collector:stats': () => ({
        listeners,
        sources: stats.snapshot(),
        kernel_drops: Object.fromEntries(
          Object.entries(listeners)
            .filter(([name]) => name.endsWith('_udp'))
            .map(([name, ep]) => [name, kernelUdpDrops(ep.port) ?? 0]),
        ),
      }),
      'collector:dead-letters': (req) => ({ dead_letters: deadLetters.list(req.limit) }),
      'collector:heartbeats': () => ({ sources: heartbeats.list() }),
      'alerts:list': (req) => alerts.list(req),
      'alerts:update': (req) => {
        const updated = triage(() =>
          audited(
            {
              action: req.action,
              object_type: 'alert',
              object_id: null,
              details: { ids: req.ids, note: req.note },
            },
            () => alerts.update(req.ids, req.action, req.note),
          ),
        )
        push('alerts:updated', { alerts: updated })
        return { alerts: updated }
      },
      'alerts:escalate': (req) => {
        const result = triage(() =>
          audited(
            {
              action: 'escalate',
              object_type: 'alert',
              object_id: null,
              details: { ids: req.ids, note: req.note },
            },
            () =>
              alerts.escalate(req.ids, {
                incidentId: req.incident_id,
                title: req.title,
                description: req.description,
                note: req.note,
              }),
          ),
        )
        push('alerts:updated', { alerts: result.alerts })
        push('incidents:changed', { id: result.incident.id })
        return result
      },
      'incidents:list': (req) => ({ incidents: alerts.incidents(req) }),
      ...ruleHandlers(rules, detector, (id) => findUpload(files.uploads, id), audited),
      ...reportCalls,
      ...caseCalls,
      ...operationHandlers(new OperationsRepo(sqlite.db), audited),
      ...searchHandlers(new SearchRepo(sqlite.db), () => detector.ruleBook.entries),
      ...assetHandlers(assetsRepo, audited),
      'audit:list': (req) => ({ entries: audit.list(req.limit, req.before) }),
      'audit:verify': () => {
        const verdict = audit.verify()
        return {
          intact: verdict.intact,
          entries: verdict.entries,
          broken: verdict.intact ? null : { seq: verdict.seq, reason: verdict.reason },
        }
      },
      ...attackHandlers(
        new AttackRepo(sqlite.db),
        () => {
          const states = detector.ruleStates
          return detector.ruleBook.entries.map((e) => ({
            key: e.key,
            tags: e.tags,
            enabled: states.get(e.key)?.enabled ?? false,
          }))
        },
        (id) => findUpload(files.uploads, id),
        audited,
      ),
      'tokens:list': () => ({ tokens: tokens.list() }),
      'tokens:create': (req) => ({
        token: audited({ action: 'create', object_type: 'token', object_id: req.name }, () =>
          tokens.create(req.name),
        ),
      }),
      'tokens:revoke': (req) => ({
        token: audited({ action: 'revoke', object_type: 'token', object_id: req.id }, () =>
          tokens.revoke(req.id),
        ),
      }),
      'events:list': (req) => ({ events: events.list(req.limit, req.before), total: events.count() }),
      'metrics:sources': async () => ({ sources: await metrics.sources() }),
      'metrics:series': async (req) => {
        const to = req.to ?? Date.now()
        const from = req.from ?? to - 3600_000
        if (from >= to) throw new ContractError('invalid_request', 'metrics:series: from must be before to')
        return { points: await metrics.series(req.source, req.name, from, to, req.buckets) }
      },
      'events:get': (req) => {
        // An alert's event sent by the console that pushed the alert (a core): shown, never stored.
        const event = events.get(req.id) ?? syncedAlertEvent(sqlite.db, req.id)
        if (!event) throw new ContractError('not_found', `no event with id ${req.id}`)
        return { event }
      },
      'import:start': async (req) => {
        let inputs: ImportInput[]
        if ('paths' in req) inputs = req.paths.map((path) => ({ path, name: path }))
        else {
          const upload = await findUpload(files.uploads, req.upload_id)
          if (!upload || uploadPaths.has(upload.path))
            throw new ContractError('not_found', `no waiting upload with id ${req.upload_id}`)
          uploadPaths.add(upload.path)
          inputs = [upload]
        }
        return imports.start(inputs)
      },
      'import:cancel': (req) => {
        const job = imports.cancel(req.job_id)
        if (!job) throw new ContractError('not_found', `no import job with id ${req.job_id}`)
        return { job }
      },
      'import:list': () => ({ jobs: imports.list() }),
      ...huntHandlers,
      ...actionHandlers({ service: actionService, webhooks, webhooksRepo, notifications, audited }),
      ...agentHandlers(agents),
      ...bundleHandlers(bundles),
      ...watchlistHandlers(sqlite.db, audited, {
        put: (row) => detector.watchlistPut(row),
        delete: (list, type, value) => detector.watchlistDelete(list, type, value),
      }),
      ...sync.handlers,
      ...taxiiHandlers(taxiiPuller, files.config),
      'tasks:list': () => ({ tasks: tasks.list() }),
      'tasks:cancel': (req) => {
        const task = tasks.cancel(req.id)
        if (!task)
          throw new ContractError('not_found', `tasks:cancel: no task with id ${req.id} (see tasks:list)`)
        return { task }
      },
      ...settingsHandlers({
        dataDir,
        configFile: files.config,
        running: config,
        // Retention reads these at its next run; the banner at the next system:info; the detector,
        // actions and webhooks at their next use (they hold config's own section objects).
        applyLive: (fields) => {
          retention.hotDays = config.storage.hot_days
          retention.archiveMaxAgeDays = config.archive.max_age_days
          retention.archiveMaxBytes = config.archive.max_bytes
          if (fields.some((field) => field.startsWith('detection.ioc.'))) detector.reloadWatchlist()
          // Consoles get the TAXII lists as the new ceiling shares them.
          if (fields.includes('taxii.serve_max_tlp'))
            for (const source of config.taxii.sources) publishTaxii(source.name)
          // Turned back on: the events stored meanwhile are evaluated now.
          if (fields.includes('detection.enabled') && config.detection.enabled) detector.kick()
          if (fields.includes('connector.interval_s')) sync.setInterval(config.connector.interval_s)
          if (fields.includes('taxii.sources')) taxiiPuller.setSources(config.taxii.sources)
          if (fields.some((field) => field.startsWith('nats.'))) restartNats()
          if (fields.includes('bundles.mode')) {
            bundles.setMode(config.bundles.mode)
            sync.setBundleMode(config.bundles.mode)
          }
          log.info('settings applied', { fields: fields.join(', ') })
        },
        saved: (change) => push('settings:changed', change),
      }),
    }
    // The long calls run as tasks. A cancelled one answers `cancelled`, with nothing partial left.
    const asTask = <K extends CoreCallName>(
      name: K,
      spec: (req: ParsedReq<K>) => Omit<TaskSpec, 'onCancel'>,
      run: (req: ParsedReq<K>, task: TaskHandle) => CallRes<K> | Promise<CallRes<K>>,
      said: (res: CallRes<K>) => string,
    ): void => {
      handlers[name] = ((req: ParsedReq<K>) =>
        tasks
          .run(spec(req), (task) => Promise.resolve(run(req, task)), said)
          .catch((error: unknown) => {
            if (error instanceof TaskCancelledError) throw new ContractError('cancelled', error.message)
            throw error
          })) as Handlers[K]
    }
    const plain = <K extends CoreCallName>(name: K) => {
      const handler = handlers[name] as (req: ParsedReq<K>) => CallRes<K> | Promise<CallRes<K>>
      return (req: ParsedReq<K>) => handler(req)
    }
    const huntExport = plain('hunt:export')
    const huntCancel = plain('hunt:cancel')
    handlers['hunt:export'] = async (req) => {
      const exportId = req.export_id ?? randomUUID()
      const task = operationTasks.exportStarted(exportId, req.format)
      const cancelled = 'Hunt export cancelled; the partial file was removed'
      try {
        const res = await huntExport({ ...req, export_id: exportId })
        // Cancelled before DuckDB knew the export (or as it finished): the file goes too.
        if (task.signal.aborted) {
          if (res.path) await rm(res.path, { force: true })
          throw new ContractError('cancelled', cancelled)
        }
        task.done(`Export written: ${res.rows.toLocaleString('en-US')} rows`)
        return res
      } catch (error) {
        if (!task.signal.aborted) {
          task.fail(`Export failed: ${(error as Error).message}`)
          throw error
        }
        task.cancelled(cancelled)
        throw new ContractError('cancelled', cancelled)
      } finally {
        operationTasks.exportEnded(exportId)
      }
    }
    handlers['hunt:cancel'] = (req) => {
      const task = operationTasks.exportTask(req.query_id)
      if (!task) return huntCancel(req)
      tasks.cancel(task.id)
      return { cancelled: true }
    }
    const base = (path: string): string => path.split(/[\\/]/).pop() ?? path
    asTask(
      'bundles:export',
      (req) => ({ kind: 'bundle', title: `Bundle export to ${base(req.out)}`, phase: 'writing' }),
      (req, task) => bundles.exportRecords(req, task.signal),
      (res) =>
        `Bundle written: ${base(res.file)} (${(res.counts.records ?? 0).toLocaleString('en-US')} records)`,
    )
    asTask(
      'bundles:content-export',
      (req) => ({ kind: 'bundle', title: `Content bundle export to ${base(req.out)}`, phase: 'writing' }),
      (req, task) => bundles.exportContent(req, task.signal),
      (res) => `Bundle written: ${base(res.file)}`,
    )
    asTask(
      'bundles:import',
      (req) => ({ kind: 'bundle', title: `Bundle import ${base(req.path)}`, phase: 'verifying' }),
      (req, task) => bundles.import(req.path, task.signal),
      (res) => `Bundle imported: ${res.applied ?? 0} records applied`,
    )
    // Report and incident exports (PDF printing, a package with its evidence): Cancel removes the
    // partial file; the toast says where it went.
    const formatName = (format: string): string => (format === 'md' ? 'Markdown' : format.toUpperCase())
    const exported = (res: CallRes<'reports:export'>): string =>
      `Exported ${res.path ? base(res.path) : res.name} (${res.bytes.toLocaleString('en-US')} bytes)`
    const incidentTitle = sqlite.db.prepare<[string], { title: string }>(
      'SELECT title FROM incidents WHERE id = ?',
    )
    asTask(
      'reports:export',
      (req) => ({
        kind: 'export',
        title: `Export report "${reportsRepo.get(req.id)?.title ?? req.id}" (${formatName(req.format)})`,
        phase: 'rendering',
      }),
      (req, task) => reportCalls['reports:export'](req, task),
      exported,
    )
    asTask(
      'incidents:export',
      (req) => ({
        kind: 'export',
        title: `Export incident "${incidentTitle.get(req.id)?.title ?? req.id}" (${formatName(req.format)})`,
        phase: 'reading',
      }),
      (req, task) => caseCalls['incidents:export'](req, task),
      exported,
    )
    // One transaction each, short: shown as tasks, not cancellable part-way.
    const attackImport = plain('attack:import')
    asTask(
      'attack:import',
      () => ({ kind: 'import', title: 'ATT&CK import', phase: 'reading', cancellable: false }),
      (req) => attackImport(req),
      () => 'ATT&CK imported',
    )
    const rulesImport = plain('rules:import')
    asTask(
      'rules:import',
      () => ({ kind: 'import', title: 'Rules import', phase: 'reading', cancellable: false }),
      (req) => rulesImport(req),
      (res) => `Rules imported: ${res.loaded.toLocaleString('en-US')} loaded, ${res.invalid} invalid`,
    )

    let stopping: Promise<void> | undefined
    const core: Core = {
      dataDir,
      config,
      listeners,
      role,
      syncApi: sync.api,
      async call(name, raw) {
        if (!isCallName(name))
          return fail('unknown_call', `no call named ${JSON.stringify(name)} in the contract`)
        if (!isCoreCall(name))
          return fail('unsupported', `${name} is answered by the desktop shell, not by the core`)
        if (stopping) return fail('unavailable', 'the core is stopping')
        const parsed = parseRequest(name, raw)
        if (!parsed.ok) return parsed
        try {
          const handler = handlers[name] as (req: unknown) => unknown
          return ok(await handler(parsed.value))
        } catch (error) {
          if (error instanceof ContractError) return fail(error.code, error.message)
          log.error(`${name} failed`, { error: (error as Error).message })
          return fail('internal', `${name} failed: ${(error as Error).message}`)
        }
      },
      taxiiEntries: () => publishedEntries(sqlite.db, config.taxii.serve_max_tlp),
      subscribe(listener) {
        const relay = (name: EventName, payload: unknown): void =>
          (listener as (n: EventName, p: unknown) => void)(name, payload)
        bus.on('push', relay)
        return () => bus.off('push', relay)
      },
      stop() {
        stopping ??= (async () => {
          push('system:status', { state: 'stopping', listeners })
          await unwind()
          bus.removeAllListeners()
          log.info('core stopped')
        })()
        return stopping
      },
    }
    try {
      sync.start()
    } catch (error) {
      throw new StartupError(`connector in ${files.config}: ${(error as Error).message}`, { cause: error })
    }
    cleanups.push(() => sync.stop())
    log.info('core ready', { data_dir: dataDir, events: events.count(), role })
    return core
  } catch (error) {
    await unwind()
    throw error
  }
}

const bindError = (
  name: string,
  host: string,
  port: number,
  configFile: string,
  error: unknown,
): StartupError => {
  const code = errnoCode(error)
  const why =
    code === 'EADDRINUSE'
      ? 'address already in use'
      : code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges)'
        : code === 'EADDRNOTAVAIL'
          ? 'no such local address'
          : (error as Error).message
  return new StartupError(
    `listener ${name} cannot listen on ${host}:${port}: ${why}; change listeners.${name} in ${configFile} or stop the program using it`,
    { cause: error },
  )
}
