import { readFileSync, writeFileSync } from 'node:fs'
import { parseDocument } from 'yaml'
import { z } from 'zod'
import { describeIssues } from '../contract/schemas'
import { parseCidr } from '../ingest/guard'
import { NatsConfig } from '../sync/nats/config'
import { TaxiiConfig } from '../sync/taxii/config'
import { StartupError, errnoCode } from './errors'

const port = z
  .number({ error: 'a port number from 1 to 65535' })
  .int('a whole port number from 1 to 65535')
  .min(0, 'a port number from 1 to 65535 (0: any free port)')
  .max(65535, 'a port is at most 65535: choose a free one from 1024 to 65535')
const host = z.string().min(1)

/**
 * Every listener's guards. An empty allowlist admits any peer (fine on 127.0.0.1); a listener on
 * another address must have one, TLS, or a token (see checkExposure in ingest/listeners.ts).
 */
const guardFields = {
  allow_cidrs: z
    .array(
      z.string().refine((text) => typeof parseCidr(text) !== 'string', {
        error: (issue) => parseCidr(String(issue.input)) as string,
      }),
    )
    .default([]),
  rate_limit_eps: z.number().int().min(0).default(0).describe('events/s per source; 0: no limit'),
}

const bytes = (min: number, fallback: number) => z.number().int().min(min).default(fallback)
const MiB = 1024 * 1024
const idleTimeout = z.number().int().min(1).default(600)
const receiveBuffer = bytes(65536, 8 * MiB)
// RFC 5426: every syslog receiver must take 480 octets.
const maxMessage = bytes(480, 64 * 1024)

/** What every listener has (on/off, guards, address) plus its own settings. */
const listener = <T extends z.ZodRawShape>(defaultPort: number, own: T, enabled = true) =>
  z.strictObject({
    enabled: z.boolean().default(enabled),
    ...guardFields,
    host: host.default('127.0.0.1'),
    port: port.default(defaultPort),
    ...own,
  })

const HttpListener = listener(5080, {
  require_token: z.boolean().default(false),
  max_body_bytes: bytes(1024, 16 * MiB),
})

const SyslogUdpListener = listener(5514, {
  max_message_bytes: maxMessage,
  receive_buffer_bytes: receiveBuffer,
})

const SyslogTcpListener = listener(5514, { max_message_bytes: maxMessage, idle_timeout_s: idleTimeout })

const SyslogTlsListener = listener(
  6514, // RFC 5425
  {
    cert_file: z.string().min(1).default('tls/collector.crt'),
    key_file: z.string().min(1).default('tls/collector.key'),
    // null (as the Settings view saves an emptied field) is the same as no line.
    ca_file: z
      .string()
      .min(1)
      .nullish()
      .transform((file) => file ?? undefined),
    require_client_cert: z.boolean().default(false),
    allowed_names: z.array(z.string().min(1)).default([]),
    min_version: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
    max_message_bytes: maxMessage,
    idle_timeout_s: idleTimeout,
  },
  false, // off until there is a certificate: TLS cannot start without one
).superRefine((tls, ctx) => {
  // Without a CA nothing can vouch for a client certificate, so these settings would be empty promises.
  if (tls.ca_file !== undefined) return
  if (tls.require_client_cert) {
    ctx.addIssue({
      code: 'custom',
      path: ['require_client_cert'],
      message:
        'needs ca_file, the CA that signs device certificates (set ca_file, or require_client_cert: false)',
    })
  }
  if (tls.allowed_names.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['allowed_names'],
      message: 'needs ca_file, the CA that signs device certificates (set ca_file, or remove allowed_names)',
    })
  }
})

const HecListener = listener(8088, { max_body_bytes: bytes(1024, 16 * MiB) })

const GelfUdpListener = listener(12201, {
  max_message_bytes: bytes(1024, MiB),
  receive_buffer_bytes: receiveBuffer,
})

const GelfTcpListener = listener(12201, { max_message_bytes: bytes(1024, MiB), idle_timeout_s: idleTimeout })

const ForwardListener = listener(24224, {
  max_chunk_bytes: bytes(65536, 16 * MiB),
  idle_timeout_s: idleTimeout,
})

const ElasticListener = listener(9200, {
  max_body_bytes: bytes(1024, 64 * MiB), // Beats' bulk_max_size of 1600 large events, before gzip
  // Off on loopback, where every local process could read the token anyway; turn on when host is not.
  require_token: z.boolean().default(false),
  // The Elasticsearch version Outpost claims. Newer Beats may refuse a cluster older than
  // themselves: set their version here, or allow_older_versions on their side.
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, 'a version like 8.17.0')
    .default('8.17.0'),
})

const OtlpListener = listener(4318, { max_body_bytes: bytes(1024, 16 * MiB) })

/** Classification / TLP markings: a named preset or any #rrggbb. */
export const BANNER_PRESETS = {
  unclassified: '#007a33',
  cui: '#502b85',
  confidential: '#0033a0',
  secret: '#c8102e',
  'top-secret': '#ff8c00',
  'tlp-red': '#cc0033',
  'tlp-amber': '#ffc000',
  'tlp-green': '#33a532',
  'tlp-clear': '#ffffff',
} as const

const BannerColor = z.union([
  z.enum(Object.keys(BANNER_PRESETS) as [keyof typeof BANNER_PRESETS]),
  z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb or a preset (unclassified, secret, tlp-amber…)'),
])

const Banner = z.strictObject({
  text: z.string().trim().min(1, 'the banner needs its text').max(120),
  color: BannerColor.default('unclassified'),
})

export const Config = z.strictObject({
  api: z
    .strictObject({
      host: host.default('127.0.0.1'),
      port: port.default(7480),
      // Browser mode's file uploads (PUT /api/upload) for import; bigger ones get 413.
      max_upload_bytes: z
        .number()
        .int()
        .min(1)
        .default(2 * 1024 ** 3),
      // HTTPS for the console, the API and a core's sync API (PEM files relative to the data dir).
      tls_cert_file: z.string().min(1).nullable().default(null),
      tls_key_file: z.string().min(1).nullable().default(null),
      // Consoles may present a client certificate from this CA instead of a token (its CN is the
      // console's name in outpost sync consoles).
      client_ca_file: z.string().min(1).nullable().default(null),
    })
    .prefault({}),
  listeners: z
    .strictObject({
      http: HttpListener.prefault({}),
      syslog_udp: SyslogUdpListener.prefault({}),
      syslog_tcp: SyslogTcpListener.prefault({}),
      syslog_tls: SyslogTlsListener.prefault({}),
      hec: HecListener.prefault({}),
      gelf_udp: GelfUdpListener.prefault({}),
      gelf_tcp: GelfTcpListener.prefault({}),
      forward: ForwardListener.prefault({}),
      elastic: ElasticListener.prefault({}),
      otlp: OtlpListener.prefault({}),
    })
    .prefault({}),
  storage: z
    .strictObject({
      // FULL fsyncs every commit: an acknowledged event survives power loss, not just a crash.
      sqlite_synchronous: z.enum(['full', 'normal']).default('full'),
      // Events waiting for their commit, at most; past it HTTP answers 503 and streams wait.
      max_pending_events: z.number().int().min(1000).default(200_000),
      // Files attached to incidents (incidents:attach), at most this many bytes each.
      max_evidence_bytes: z
        .number()
        .int()
        .min(1)
        .default(256 * 1024 ** 2),
      // Archived events older than this many days are deleted from SQLite (hunts read the DuckDB
      // archive); events not yet archived are never deleted. 0: keep them all.
      hot_days: z.number().int().min(0).default(0),
    })
    .prefault({}),
  archive: z
    .strictObject({
      // The DuckDB archive drops events older than this many days; 0: keep forever.
      max_age_days: z.number().int().min(0).default(0),
      // ...and its oldest events while archive.duckdb is larger than this; 0: no limit.
      max_bytes: z.number().int().min(0).default(0),
      // DuckDB's buffer pool at most (hunts, the dashboard, the archiver); past it queries spill
      // to disk. DuckDB's own default is 80% of RAM.
      memory_limit_mb: z.number().int().min(64).default(512),
    })
    .prefault({}),
  detection: z
    .strictObject({
      // Run the enabled Sigma rules over every stored event (live, and catching up after a restart).
      enabled: z.boolean().default(true),
      // Matches of one rule on one host (correlations: one group) within this many seconds of the
      // previous one fold into the same open alert, counted, instead of raising another.
      suppression_window_s: z
        .number()
        .int()
        .min(0)
        .max(7 * 86400)
        .default(300),
      incidents: z
        .strictObject({
          // Alerts at or above this level are grouped into incidents by the fields below.
          min_level: z.enum(['informational', 'low', 'medium', 'high', 'critical']).default('high'),
          // Alerts sharing all of these (host, user, tactic: the first ATT&CK tactic) join one open
          // incident whose last alert is within window_s; an alert with none of them joins none.
          group_by: z
            .array(z.enum(['host', 'user', 'tactic']))
            .min(1)
            .default(['host']),
          window_s: z
            .number()
            .int()
            .min(60)
            .max(30 * 86400)
            .default(3600),
        })
        .prefault({}),
      ioc: z
        .strictObject({
          // Match every stored event against the IOC watchlist (content-bundle lists, TAXII pulls).
          enabled: z.boolean().default(true),
          // The level of a match whose indicator gives none (TAXII indicators never do).
          default_level: z.enum(['informational', 'low', 'medium', 'high', 'critical']).default('high'),
          // A domain indicator also matches the names under it (evil.example: cdn.evil.example).
          match_subdomains: z.boolean().default(true),
        })
        .prefault({}),
    })
    .prefault({}),
  actions: z
    .strictObject({
      // An action is approved by a local operator other than the one who proposed it.
      two_person_rule: z.boolean().default(false),
      // The executor's tries of one approved action before it is failed and dead-lettered.
      max_attempts: z.number().int().min(1).max(20).default(3),
      // The first retry waits about this long, each next one twice as long (with jitter).
      retry_base_s: z.number().min(0).max(3600).default(30),
      // The generic webhook action POSTs only to URLs starting with one of these; empty: refused.
      webhook_allow: z.array(z.url({ protocol: /^https?$/ })).default([]),
      // The generic command action runs only these programs (absolute paths, no shell); empty: refused.
      commands: z.array(z.string().regex(/^\//, 'an absolute path')).default([]),
    })
    .prefault({}),
  webhooks: z
    .strictObject({
      // Subscriptions may POST only to URLs starting with one of these; empty: every one refused.
      allow: z.array(z.url({ protocol: /^https?$/ })).default([]),
      max_attempts: z.number().int().min(1).max(20).default(5),
      retry_base_s: z.number().min(0).max(3600).default(10),
    })
    .prefault({}),
  bundles: z
    .strictObject({
      // Data-diode mode: export-only consoles refuse bundle imports, import-only cores refuse exports.
      mode: z.enum(['two-way', 'export-only', 'import-only']).default('two-way'),
    })
    .prefault({}),
  ui: z
    .strictObject({
      // The classification/TLP banner above every view (and so in every screenshot); null: none.
      banner: Banner.nullable().default(null),
    })
    .prefault({}),
  connector: z
    .strictObject({
      // The core this console syncs with; null: no connector, and Outpost never reaches out.
      // `outpost sync connect` (or the Sync view) stores a connection in the data dir instead.
      url: z
        .url({ protocol: /^https?$/ })
        .nullable()
        .default(null),
      token: z.string().min(1).nullable().default(null),
      ca_file: z.string().min(1).nullable().default(null),
      cert_file: z.string().min(1).nullable().default(null),
      key_file: z.string().min(1).nullable().default(null),
      interval_s: z.number().int().min(1).max(86_400).default(60),
    })
    .prefault({}),
  taxii: TaxiiConfig,
  nats: NatsConfig,
})
export type Config = z.infer<typeof Config>
export type ListenerName = keyof Config['listeners']

/** Written on first run; every value is the default, so deleting a line changes nothing. */
export const DEFAULT_CONFIG_TEXT = `# Outpost configuration. Edit it here or in the Settings view (which keeps these comments);
# restart Outpost to apply (the Settings view says what applies at once).
# Every value below is the default: delete a line and Outpost uses the same value.

# The headless host's API and web UI (\`outpost serve\`). The desktop app uses IPC instead.
api:
  host: 127.0.0.1
  port: 7480
  max_upload_bytes: 2147483648   # files uploaded in the browser for import (2 GiB)
  tls_cert_file: null   # HTTPS: the certificate and key (PEM, relative to the data dir), e.g. tls/api.crt
  tls_key_file: null
  client_ca_file: null  # a core: consoles may sync with a client certificate from this CA (CN = console name)

# Collector listeners: where local forwarders send events. Loopback by default.
# Every listener also takes:
#   allow_cidrs: [10.20.0.0/16, 192.168.7.12]   # only these peers (default: any)
#   rate_limit_eps: 5000                        # events/s per source (default 0: no limit)
# A listener on a non-loopback address must have TLS, a token or allow_cidrs, or Outpost refuses to start.
listeners:
  # JSON over HTTP: POST /v1/events with a JSON object, a JSON array or NDJSON (gzip allowed).
  http:
    enabled: true
    host: 127.0.0.1
    port: 5080
    max_body_bytes: 16777216
    require_token: false   # true: Authorization: Bearer <ingest token> (outpost tokens list)
  # Syslog over UDP (RFC 5426): RFC 5424 or BSD (RFC 3164) messages, one per datagram.
  syslog_udp:
    enabled: true
    host: 127.0.0.1
    port: 5514
    max_message_bytes: 65536
    receive_buffer_bytes: 8388608   # the kernel may cap it: raise net.core.rmem_max
  # Syslog over TCP (RFC 6587): octet-counting or LF-delimited, detected per connection.
  syslog_tcp:
    enabled: true
    host: 127.0.0.1
    port: 5514
    max_message_bytes: 65536
    idle_timeout_s: 600
  # Syslog over TLS (RFC 5425): octet-counting (LF-delimited accepted too). Off until it has a certificate.
  # Paths are relative to the data dir; PEM files, the key unencrypted.
  syslog_tls:
    enabled: false
    host: 127.0.0.1
    port: 6514
    cert_file: tls/collector.crt   # the collector's certificate (its chain may follow it in the file)
    key_file: tls/collector.key
    # Mutual TLS: only devices whose certificate chains to this CA. Example:
    # ca_file: tls/devices-ca.crt
    # require_client_cert: true
    # allowed_names: [fw-01.example.org, web-02]   # certificate CN or DNS SAN
    require_client_cert: false
    allowed_names: []
    min_version: TLSv1.2   # or TLSv1.3
    max_message_bytes: 65536
    idle_timeout_s: 600
  # Splunk HTTP Event Collector: /services/collector/event, /raw, /ack, /health.
  # Tokens: outpost tokens list|create|revoke (a "default" one exists from the first start).
  hec:
    enabled: true
    host: 127.0.0.1
    port: 8088
    max_body_bytes: 16777216
  # GELF (Graylog): UDP, chunked or whole, gzip/zlib/plain; TCP, NUL-delimited.
  gelf_udp:
    enabled: true
    host: 127.0.0.1
    port: 12201
    max_message_bytes: 1048576
    receive_buffer_bytes: 8388608
  gelf_tcp:
    enabled: true
    host: 127.0.0.1
    port: 12201
    max_message_bytes: 1048576
    idle_timeout_s: 600
  # Fluentd forward protocol (Fluent Bit, Fluentd, Docker's fluentd driver); chunks acked once stored.
  forward:
    enabled: true
    host: 127.0.0.1
    port: 24224
    max_chunk_bytes: 16777216
    idle_timeout_s: 600
  # Elasticsearch 8 _bulk API, for Filebeat/Winlogbeat, Fluent Bit (es) and Vector (elasticsearch).
  elastic:
    enabled: true
    host: 127.0.0.1
    port: 9200
    max_body_bytes: 67108864
    require_token: false   # true: Bearer/ApiKey <token> or Basic with the token as password
    version: 8.17.0        # the Elasticsearch version claimed; newer Beats may want their own
  # OpenTelemetry OTLP/HTTP: POST /v1/logs and /v1/metrics, protobuf or JSON (no traces).
  otlp:
    enabled: true
    host: 127.0.0.1
    port: 4318
    max_body_bytes: 16777216

storage:
  # full: fsync every commit, so an acknowledged event survives power loss. normal: faster, crash-safe only.
  sqlite_synchronous: full
  # Events received but not yet committed, at most: past it HTTP answers 503 (HEC code 9) with
  # Retry-After, TCP senders are slowed, UDP datagrams are dropped and counted.
  max_pending_events: 200000
  # Files attached to incidents as evidence, at most this many bytes each (256 MiB).
  max_evidence_bytes: 268435456
  # Archived events older than this many days leave SQLite (hunts and the dashboard read the
  # DuckDB archive); events not yet archived stay. 0: keep everything in SQLite too.
  hot_days: 0

# The DuckDB archive that hunts, the SQL console and the dashboard read; events flow into it
# continuously. Retention is enforced hourly.
archive:
  max_age_days: 0      # drop archived events older than this; 0: keep forever
  max_bytes: 0         # drop the oldest while archive.duckdb is larger than this; 0: no limit
  memory_limit_mb: 512 # DuckDB's memory at most; larger queries spill to disk

# The Sigma engine over stored events. Rules live in the rule store (import them in the Rules view
# or with rules:import); Outpost ships a few examples of its own, not SigmaHQ's.
detection:
  enabled: true
  # Matches of one rule on one host within this many seconds fold into one alert (counted).
  suppression_window_s: 300
  incidents:
    min_level: high       # alerts at or above this level are grouped into incidents
    group_by: [host]      # alerts sharing these (host, user, tactic) join one open incident
    window_s: 3600        # ... whose last alert is at most this old
  # Every stored event checked against the IOC watchlist (bundle lists, TAXII pulls): a match raises
  # an alert like a rule's, at the indicator's level or this one.
  ioc:
    enabled: true
    default_level: high
    match_subdomains: true  # a domain indicator also matches the names under it

# Response actions (block an IP, isolate a host, disable a user, collect evidence): proposed,
# previewed, approved, then carried out by producing reviewed scripts and firewall snippets.
actions:
  two_person_rule: false   # true: approved by a local operator other than the proposer (passphrase)
  max_attempts: 3          # tries per approved action, then failed and dead-lettered
  retry_base_s: 30         # first retry after about this long, doubling each time
  webhook_allow: []        # the webhook action's destinations (URL prefixes); empty: refused
  commands: []             # the command action's programs (absolute paths, run without a shell); empty: refused

# Webhook subscriptions POST alert, incident and action changes to local automation (n8n...),
# signed with HMAC-SHA256. Nothing is sent until a destination is allowed here.
webhooks:
  allow: []                # URL prefixes, e.g. [http://127.0.0.1:5678/webhook/]
  max_attempts: 5
  retry_base_s: 10

# Signed bundles for removable media (outpost bundle …, outpost keys …).
bundles:
  mode: two-way            # export-only: this side only exports (a console behind a data diode);
                           # import-only: it only imports (the core on the diode's far side)

# The console. Sites that mark their screens set a classification/TLP banner shown above every view:
#   banner: { text: "UNCLASSIFIED//FOR OFFICIAL USE ONLY", color: unclassified }
# color: #rrggbb or a preset: unclassified, cui, confidential, secret, top-secret,
# tlp-red, tlp-amber, tlp-green, tlp-clear. The text colour is chosen for contrast.
ui:
  banner: null

# The connector: keeps this console in step with a team core (outpost serve --role core).
# Off until a url is set here or with \`outpost sync connect URL --token T\`; until then Outpost
# opens no outbound connection at all. Paths are relative to the data dir.
connector:
  url: null          # e.g. https://core.example.org:7480
  token: null        # this console's token, made on the core: outpost sync consoles add NAME --role analyst
  ca_file: null      # PEM CA to trust for an https core (pinned: only this CA)
  cert_file: null    # client certificate and key, if the core asks for one
  key_file: null
  interval_s: 60     # push and pull this often (a change is pushed at once too)

# TAXII 2.1 collections to pull STIX indicators from into the IOC watchlist. None by default:
# Outpost connects nowhere until one is listed. (Outpost also serves its published reports over
# TAXII 2.1 at /taxii2/ on the headless host, with the api-token.)
taxii:
  # The most restricted TLP served at /taxii2/: published reports above it (and their objects) are
  # left out. clear, green, amber, amber+strict or red.
  serve_max_tlp: green
  sources: []
  # - name: partner-feed
  #   url: https://taxii.partner.example/api1/collections/<collection id>/objects/
  #   # or url: https://taxii.partner.example/api1/  plus  collection: <collection id>
  #   token: <bearer token>            # or username: … and password: … (Basic)
  #   ca_file: /etc/outpost/partner-ca.pem
  #   interval_s: 3600
  #   page_size: 500

# A team core as several stateless replicas over NATS JetStream (README: "Team cores over NATS").
# Off by default. A console with it enabled publishes its outbox (stream OUTPOST_RECORDS, subjects
# outpost.<site>.<kind>), beside the connector if one is configured; each core replica
# (serve --role core) applies every record through its own durable consumer.
nats:
  enabled: false
  servers: [nats://127.0.0.1:4222]
  site: default            # the subject token this site publishes under
  replica: core-1          # this replica's durable consumer: unique per replica
  replicas: 1              # copies of the stream in the NATS cluster (3 on a three-node cluster)
  duplicate_window_s: 120  # a record's key republished within this window is stored once
  # Stream retention, applied by the cores at each start (0 = unlimited). Records past a limit are
  # dropped oldest first, consumed or not: a replica down longer than that misses them.
  max_age_days: 30
  max_bytes: 0
  max_msgs: 0
`

/** The banner's background as #rrggbb. */
export const bannerColor = (color: string): string =>
  color in BANNER_PRESETS ? BANNER_PRESETS[color as keyof typeof BANNER_PRESETS] : color

export const parseConfig = (text: string, file: string): Config => {
  const doc = parseDocument(text, { prettyErrors: true })
  const yamlError = doc.errors[0]
  if (yamlError) {
    const at = yamlError.linePos?.[0]
    const where = at ? ` line ${at.line}, column ${at.col}` : ''
    throw new StartupError(`${file}:${where} invalid YAML: ${yamlError.message.split('\n')[0]}`)
  }
  const parsed = Config.safeParse(doc.toJS() ?? {})
  if (!parsed.success) {
    throw new StartupError(
      `${file}: ${describeIssues(parsed.error)} (fix the file or delete it to get the defaults)`,
    )
  }
  return parsed.data
}

/** Reads the data dir's config, writing the commented default on first run. */
export const loadConfig = (file: string): Config => {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') {
      throw new StartupError(`cannot read ${file}: ${(error as Error).message}`, { cause: error })
    }
    writeFileSync(file, DEFAULT_CONFIG_TEXT, { mode: 0o600 })
    text = DEFAULT_CONFIG_TEXT
  }
  return parseConfig(text, file)
}
