import { createHash, X509Certificate } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  copyFileSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parseDocument } from 'yaml'
import {
  ContractError,
  describeIssues,
  SETTINGS_SECTIONS,
  type CallRes,
  type CertificateInfo,
  type ParsedReq,
  type SettingsSection,
  type SettingsSnapshot,
} from '../contract'
import { Config } from './config'
import { editConfigText } from './config-edit'
import { errnoCode } from './errors'
import { defaultDataDir } from './paths'
import { loadTlsCredentials } from './tls-files'

/**
 * What a running core applies as soon as it is saved: read at each use (the detector, the action
 * service and the webhook dispatcher hold these very config objects), with nothing to re-open;
 * detection.ioc reloads the watchlist; the connector's interval, the TAXII sources, NATS and
 * bundles.mode are handed to the services running them (see create-core's applyLive). Everything
 * else waits for a restart: listeners (a port or address change means unbinding and binding
 * again while senders are connected, and a failed bind would leave the collector deaf), the API,
 * storage, and the connector's endpoint (sync:connect changes that live).
 */
export const LIVE_FIELDS = [
  'ui.banner',
  'storage.hot_days',
  'archive.max_age_days',
  'archive.max_bytes',
  'detection.enabled',
  'detection.suppression_window_s',
  'detection.incidents',
  'detection.ioc',
  'actions.two_person_rule',
  'actions.max_attempts',
  'actions.retry_base_s',
  'actions.webhook_allow',
  'actions.commands',
  'webhooks.allow',
  'webhooks.max_attempts',
  'webhooks.retry_base_s',
  'taxii.serve_max_tlp',
  'taxii.sources',
  'connector.interval_s',
  // NATS restarts whole with the new values (publisher, and on a core its replica consumer).
  'nats.enabled',
  'nats.servers',
  'nats.site',
  'nats.replica',
  'nats.replicas',
  'nats.duplicate_window_s',
  'nats.max_age_days',
  'nats.max_bytes',
  'nats.max_msgs',
  'bundles.mode',
]

/** Compared whole: a banner is one setting, not its text and colour apart. */
const ATOMIC = new Set(['ui.banner'])

const SECRET_KEYS = new Set(['token', 'password'])

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

const leaves = (value: unknown, path: string, out: Map<string, string>): Map<string, string> => {
  if (isPlainObject(value) && !ATOMIC.has(path) && Object.keys(value).length > 0)
    for (const [key, inner] of Object.entries(value)) leaves(inner, path ? `${path}.${key}` : key, out)
  else out.set(path, JSON.stringify(value ?? null))
  return out
}

/** The dotted paths whose values differ between two configs. */
export const changedFields = (before: unknown, after: unknown): string[] => {
  const a = leaves(before, '', new Map())
  const b = leaves(after, '', new Map())
  return [...new Set([...a.keys(), ...b.keys()])].filter((key) => a.get(key) !== b.get(key)).sort()
}

const isLive = (field: string): boolean =>
  LIVE_FIELDS.some((live) => field === live || field.startsWith(`${live}.`))

/** A secret as its last characters: enough to tell which one is set, never enough to use it. */
export const maskSecret = (secret: string): string => (secret.length > 12 ? `…${secret.slice(-4)}` : '…')

const masked = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(masked)
  if (!isPlainObject(value)) return value
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      SECRET_KEYS.has(key) && typeof inner === 'string' ? maskSecret(inner) : masked(inner),
    ]),
  )
}

/** The first secret still masked after keepSecrets (sent back for a row it never belonged to). */
const maskedSecret = (value: unknown, path: string): string | null => {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = maskedSecret(item, `${path}.${index}`)
      if (found) return found
    }
  } else if (isPlainObject(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (SECRET_KEYS.has(key) && typeof inner === 'string' && inner.startsWith('…')) return `${path}.${key}`
      const found = maskedSecret(inner, `${path}.${key}`)
      if (found) return found
    }
  }
  return null
}

/**
 * `value` with every secret that comes back masked replaced by the one it masks, in lists too
 * (taxii.sources: a row matched by its name, else by its place), so a list saved whole keeps them.
 */
export const keepSecrets = (value: unknown, was: unknown): unknown => {
  if (Array.isArray(value)) {
    const before: unknown[] = Array.isArray(was) ? was : []
    return value.map((item: unknown, index) => {
      const name = isPlainObject(item) ? item.name : undefined
      // By name; a renamed (or unnamed) row by its place.
      const same: unknown =
        (typeof name === 'string'
          ? before.find((old) => isPlainObject(old) && old.name === name)
          : undefined) ?? before[index]
      return keepSecrets(item, same)
    })
  }
  if (!isPlainObject(value)) return value
  const old = isPlainObject(was) ? was : {}
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      const secret = old[key]
      if (SECRET_KEYS.has(key) && typeof secret === 'string' && inner === maskSecret(secret))
        return [key, secret]
      return [key, keepSecrets(inner, secret)]
    }),
  )
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

const readText = (file: string): string => {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return ''
    throw error
  }
}

const at = (config: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), config)

/** Every certificate file the config names, with what it says (or why it cannot be read). */
const certificates = (config: Config, dataDir: string): CertificateInfo[] => {
  const files: Array<[string, string | null | undefined]> = [
    ['api.tls_cert_file', config.api.tls_cert_file],
    ['api.client_ca_file', config.api.client_ca_file],
    ['listeners.syslog_tls.cert_file', config.listeners.syslog_tls.cert_file],
    ['listeners.syslog_tls.ca_file', config.listeners.syslog_tls.ca_file],
    ['connector.ca_file', config.connector.ca_file],
    ['connector.cert_file', config.connector.cert_file],
  ]
  return files.flatMap(([setting, file]): CertificateInfo[] => {
    if (!file) return []
    const path = resolve(dataDir, file)
    try {
      const cert = new X509Certificate(readFileSync(path))
      const validTo = new Date(cert.validTo)
      return [
        {
          setting,
          path,
          subject: cert.subject.replaceAll('\n', ', '),
          issuer: cert.issuer.replaceAll('\n', ', '),
          valid_to: validTo.toISOString(),
          expired: validTo.getTime() < Date.now(),
          error: null,
        },
      ]
    } catch (error) {
      const code = errnoCode(error)
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EACCES'
            ? 'permission denied'
            : code
              ? (error as Error).message
              : 'not a PEM certificate'
      return [{ setting, path, subject: null, issuer: null, valid_to: null, expired: false, error: why }]
    }
  })
}

/** Writes `text` to `file` so a crash leaves the old file or the new one, never half of either. */
export const writeFileAtomic = (file: string, text: string): void => {
  const temp = join(dirname(file), `.${Date.now()}-${process.pid}-config.yaml.tmp`)
  const fd = openSync(temp, 'wx', 0o600)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } catch (error) {
    closeSync(fd)
    rmSync(temp, { force: true })
    throw error
  }
  closeSync(fd)
  try {
    renameSync(temp, file)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
  // The rename itself reaches the disk with the directory (Windows cannot open one to fsync it).
  if (process.platform === 'win32') return
  const dir = openSync(dirname(file), 'r')
  try {
    fsyncSync(dir)
  } finally {
    closeSync(dir)
  }
}

export type SettingsOptions = {
  dataDir: string
  configFile: string
  /** What the core runs with; live fields are changed in it (see applyLive). */
  running: Config
  /** Called after a save with the live fields that changed, already set in `running`. */
  applyLive: (fields: string[]) => void
  /** After every save: what applied at once and what waits for a restart. */
  saved?: (change: { applied: string[]; restart_required: string[] }) => void
  env?: NodeJS.ProcessEnv
}

type SettingsHandlers = {
  [K in 'settings:get' | 'settings:update']: (req: ParsedReq<K>) => CallRes<K>
}

export const dataDirSource = (dataDir: string, env: NodeJS.ProcessEnv): string => {
  const how =
    'To use another, start Outpost with --data-dir DIR (outpost serve, every outpost command) or set OUTPOST_DATA_DIR=DIR (the desktop app too); a data dir holds its own config.yaml.'
  if (env.OUTPOST_DATA_DIR && resolve(env.OUTPOST_DATA_DIR) === resolve(dataDir))
    return `Set by $OUTPOST_DATA_DIR. ${how}`
  if (resolve(defaultDataDir({ ...env, OUTPOST_DATA_DIR: '' })) === resolve(dataDir))
    return `This user's default. ${how}`
  return `Given with --data-dir. ${how}`
}

/** settings:get and settings:update: config.yaml read, checked and written for the Settings view. */
export const settingsHandlers = (options: SettingsOptions): SettingsHandlers => {
  const { dataDir, configFile, running } = options
  const env = options.env ?? process.env

  const snapshot = (): SettingsSnapshot => {
    const text = readText(configFile)
    let onDisk: Config = running
    let fileError: string | null = null
    const doc = parseDocument(text)
    if (doc.errors[0]) fileError = `invalid YAML: ${doc.errors[0].message.split('\n')[0]}`
    else {
      const parsed = Config.safeParse(doc.toJS() ?? {})
      if (parsed.success) onDisk = parsed.data
      else fileError = describeIssues(parsed.error)
    }
    let mtime: string | null
    try {
      mtime = statSync(configFile).mtime.toISOString()
    } catch {
      mtime = null
    }
    return {
      data_dir: dataDir,
      data_dir_source: dataDirSource(dataDir, env),
      config_file: configFile,
      hash: sha256(text),
      mtime,
      config: masked(onDisk) as Record<string, unknown>,
      file_error: fileError,
      sections: SETTINGS_SECTIONS.map((section) => ({
        section,
        live: LIVE_FIELDS.filter((field) => field.startsWith(`${section}.`)),
      })),
      // Live fields are applied when saved here, so only a hand edit leaves one waiting too.
      restart_required: changedFields(running, onDisk),
      certificates: certificates(onDisk, dataDir),
    }
  }

  const update = (req: ParsedReq<'settings:update'>): CallRes<'settings:update'> => {
    const section: SettingsSection = req.section
    const path = section.split('.')
    const text = readText(configFile)
    if (sha256(text) !== req.base_hash)
      throw new ContractError(
        'conflict',
        `${configFile} changed on disk since these settings were read (edited by hand?): nothing was saved; reload the settings, check them and save again`,
      )
    const before = Config.safeParse(parseDocument(text).toJS() ?? {})
    const current = at(before.success ? before.data : running, path)
    const values: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(req.values)) {
      if (!/^[a-z_][a-z0-9_]*$/.test(key))
        throw new ContractError('invalid_request', `${section}.${key}: not a setting name`)
      // A secret sent back as settings:get showed it means "keep it".
      const was = isPlainObject(current) ? current[key] : undefined
      if (SECRET_KEYS.has(key) && typeof was === 'string' && value === maskSecret(was)) continue
      values[key] = keepSecrets(value, was)
      const lost = maskedSecret(values[key], `${section}.${key}`)
      if (lost)
        throw new ContractError(
          'invalid_request',
          `${lost}: this is how a saved secret is shown, not the secret; type the secret again (nothing was saved)`,
        )
    }
    let edit
    try {
      edit = editConfigText(text, path, values)
    } catch (error) {
      throw new ContractError(
        'conflict',
        `${configFile}: ${(error as Error).message}; fix the file by hand (or delete it to get the defaults), then save again`,
      )
    }
    const parsed = Config.safeParse(edit.value)
    if (!parsed.success)
      throw new ContractError('invalid_request', `${describeIssues(parsed.error)} (nothing was saved)`)
    const next = parsed.data
    // A TLS listener turned on must find its certificate and key now, not fail the next start.
    const tls = next.listeners.syslog_tls
    if (section === 'listeners.syslog_tls' && tls.enabled) {
      try {
        loadTlsCredentials('syslog_tls', tls, dataDir, configFile)
      } catch (error) {
        throw new ContractError('invalid_request', `${(error as Error).message} (nothing was saved)`)
      }
    }
    const changed = changedFields(before.success ? before.data : running, next)
    if (edit.text !== text) {
      if (text !== '') {
        copyFileSync(configFile, `${configFile}.bak`)
        chmodSync(`${configFile}.bak`, 0o600)
      }
      writeFileAtomic(configFile, edit.text)
    }
    const applied = changed.filter(isLive)
    if (applied.length > 0) {
      // Set in place: the services hold running's section objects, never copies.
      for (const field of LIVE_FIELDS) {
        const keys = field.split('.')
        const last = keys.pop()!
        const into = at(running, keys) as Record<string, unknown>
        into[last] = (at(next, keys) as Record<string, unknown>)[last]
      }
      options.applyLive(applied)
    }
    const settings = snapshot()
    options.saved?.({ applied, restart_required: settings.restart_required })
    return { changed, applied, restart: changed.filter((field) => !isLive(field)), settings }
  }

  return { 'settings:get': () => snapshot(), 'settings:update': update }
}
