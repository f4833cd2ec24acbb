import { useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { CertificateInfo, SettingsSection } from '../../../../collector/contract'
import { routeHref } from '../../app/use-route'
import { setTheme, THEMES, useTheme } from '../../app/theme'
import { formatTimeShort } from '../../components/format'
import { useAppStore } from '../../state/store'
import { SettingsForm, type FieldSpec } from './SettingsForm'

const desktopPermission = (): NotificationPermission | 'unsupported' =>
  'Notification' in window ? window.Notification.permission : 'unsupported'

const PERMISSION_TEXT = {
  granted: 'on: critical alerts and approvals also show as desktop notifications',
  denied: 'blocked: allow notifications for Outpost in the system (or browser) settings',
  default: 'not asked yet',
  unsupported: 'not available in this window',
} as const

const BANNER_COLORS = [
  'unclassified',
  'cui',
  'confidential',
  'secret',
  'top-secret',
  'tlp-red',
  'tlp-amber',
  'tlp-green',
  'tlp-clear',
] as const

const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const

const LISTENER_TEXT: Record<string, string> = {
  http: 'JSON over HTTP',
  syslog_udp: 'Syslog over UDP',
  syslog_tcp: 'Syslog over TCP',
  syslog_tls: 'Syslog over TLS',
  hec: 'Splunk HEC',
  gelf_udp: 'GELF over UDP',
  gelf_tcp: 'GELF over TCP',
  forward: 'Fluentd forward',
  elastic: 'Elasticsearch _bulk',
  otlp: 'OpenTelemetry OTLP',
}

const listenerFields = (name: string): FieldSpec[] => [
  { key: 'enabled', label: 'Enabled', kind: 'bool' },
  { key: 'host', label: 'Host', kind: 'text', hint: '127.0.0.1: this machine only; 0.0.0.0: every address' },
  { key: 'port', label: 'Port', kind: 'number' },
  {
    key: 'allow_cidrs',
    label: 'Allowed peers',
    kind: 'list',
    hint: 'addresses or CIDRs, comma-separated; empty: any peer',
  },
  { key: 'rate_limit_eps', label: 'Rate limit (events/s per source)', kind: 'number', hint: '0: no limit' },
  ...(name === 'http' || name === 'elastic'
    ? [{ key: 'require_token', label: 'Require an ingest token', kind: 'bool' } as const]
    : []),
  ...(name === 'syslog_tls'
    ? ([
        { key: 'cert_file', label: 'Certificate file', kind: 'text', hint: 'PEM, relative to the data dir' },
        { key: 'key_file', label: 'Key file', kind: 'text', hint: 'PEM, unencrypted' },
        {
          key: 'ca_file',
          label: 'Client CA file',
          kind: 'text',
          nullable: true,
          hint: 'empty: no client CA',
        },
        { key: 'require_client_cert', label: 'Require a client certificate', kind: 'bool' },
        {
          key: 'allowed_names',
          label: 'Allowed client names',
          kind: 'list',
          hint: 'certificate CN or DNS SAN',
        },
        { key: 'min_version', label: 'Minimum TLS version', kind: 'select', options: ['TLSv1.2', 'TLSv1.3'] },
      ] as const)
    : []),
]

/** What the certificate files a section names say, or why they cannot be read. */
const Certificates = ({ certificates }: { certificates: readonly CertificateInfo[] }) =>
  certificates.length === 0 ? null : (
    <ul className="plain" aria-label="Certificates">
      {certificates.map((c) => (
        <li key={c.setting}>
          <span className="mono">{c.setting.split('.').at(-1)}</span>:{' '}
          {c.error ? (
            <span className="error-text">
              {c.path}: {c.error}
            </span>
          ) : (
            <>
              {c.subject} (issued by {c.issuer}),{' '}
              <span className={c.expired ? 'error-text' : undefined}>
                {c.expired ? 'expired' : 'valid until'} {c.valid_to ? formatTimeShort(c.valid_to) : '?'}
              </span>
            </>
          )}
        </li>
      ))}
    </ul>
  )

/**
 * What this console runs with: the theme and notifications are this window's; the rest is the
 * core's config.yaml, edited section by section (checked by the core, comments kept). What only
 * applies at the next start stays listed at the top until then.
 */
export const SettingsView = () => {
  const s = useAppStore(
    useShallow((state) => ({
      settings: state.settings,
      error: state.settingsError,
      load: state.loadSettings,
      transport: state.transport.kind,
      toast: state.toast,
      tokens: state.tokens,
      loadTokens: state.loadTokens,
      sync: state.syncStatus,
      loadSync: state.loadSync,
      save: state.saveSettings,
      saving: state.settingsSaving,
    })),
  )
  const { load, loadTokens, loadSync } = s
  useEffect(() => {
    void load()
    void loadTokens()
    void loadSync()
  }, [load, loadTokens, loadSync])
  const theme = useTheme()
  const [permission, setPermission] = useState(desktopPermission)
  const ask = (): void => {
    void window.Notification.requestPermission().then((answer) => {
      setPermission(answer)
      s.toast('ok', `Desktop notifications ${answer === 'granted' ? 'on' : answer}`)
    })
  }
  const settings = s.settings
  const certs = (prefix: string) => settings?.certificates.filter((c) => c.setting.startsWith(prefix)) ?? []
  const listeners = Object.keys((settings?.config.listeners as Record<string, unknown> | undefined) ?? {})
  const banner = settings?.config.ui as { banner: unknown } | undefined
  return (
    // Focusable so the keyboard can scroll it (axe: scrollable-region-focusable).
    <div className="scroll" tabIndex={0} role="region" aria-label="Settings">
      <div className="view-header">
        <h1>Settings</h1>
        <button type="button" onClick={() => void load()} title="Read config.yaml again (after a hand edit)">
          Reload from the file
        </button>
      </div>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      {settings && settings.restart_required.length > 0 && (
        <div className="restart-notice" role="status" aria-label="Restart required">
          <strong>Restart Outpost to apply:</strong>{' '}
          <span className="mono">{settings.restart_required.join(', ')}</span>
          <span className="muted">
            {' '}
            (saved in config.yaml; Outpost runs with the previous values until it starts again)
          </span>
        </div>
      )}
      {settings?.file_error && (
        <p className="error" role="alert">
          {settings.config_file} does not load now (edited by hand?): {settings.file_error}. Fix the file:
          Outpost would not start with it.
        </p>
      )}

      <section className="panel" aria-label="Data">
        <h2>Data</h2>
        {settings && (
          <>
            <dl className="kv">
              <dt className="muted">Data dir</dt>
              <dd className="mono">{settings.data_dir}</dd>
              <dt className="muted">Config file</dt>
              <dd className="mono">
                {settings.config_file}
                {settings.mtime && (
                  <span className="muted"> (changed {formatTimeShort(settings.mtime)})</span>
                )}
              </dd>
              <dt className="muted">Connected via</dt>
              <dd>{s.transport === 'ipc' ? 'desktop (IPC)' : 'browser (HTTP + WebSocket)'}</dd>
            </dl>
            <p className="muted">{settings.data_dir_source}</p>
          </>
        )}
      </section>

      <section className="panel" aria-label="Appearance">
        <h2>Appearance</h2>
        <fieldset className="field-row">
          <legend>Theme</legend>
          {THEMES.map((t) => (
            <label key={t}>
              <input
                type="radio"
                name="theme"
                value={t}
                checked={theme === t}
                onChange={() => {
                  setTheme(t)
                  s.toast('ok', `Theme: ${t}`)
                }}
              />{' '}
              {t === 'dark' ? 'Dark (dim rooms)' : 'Light'}
            </label>
          ))}
        </fieldset>
        <p className="muted">Kept in this window; until chosen, Outpost follows the system’s preference.</p>
        {settings && (
          <SettingsForm
            section="ui"
            title="Banner"
            note={
              <p className="muted">
                The classification/TLP marking above every view (and so in every screenshot).
              </p>
            }
            fields={[
              { key: 'banner.text', label: 'Banner text', kind: 'text' },
              { key: 'banner.color', label: 'Banner colour', kind: 'select', options: BANNER_COLORS },
            ]}
          >
            {banner?.banner !== null && (
              <button
                type="button"
                disabled={s.saving === 'ui'}
                onClick={() => void s.save('ui', { banner: null })}
              >
                Remove the banner
              </button>
            )}
          </SettingsForm>
        )}
      </section>

      <section className="panel" aria-label="Notifications">
        <h2>Notifications</h2>
        <p>
          Desktop notifications: <strong>{PERMISSION_TEXT[permission]}</strong>{' '}
          {permission === 'default' && (
            <button type="button" onClick={ask}>
              Enable desktop notifications
            </button>
          )}
        </p>
        <p className="muted">The bell in the header lists every notification whatever this says.</p>
      </section>

      {settings && (
        <>
          <section className="panel" aria-label="Listeners">
            <h2>Listeners</h2>
            <p className="muted">
              Where forwarders send events. A listener on another address than 127.0.0.1 needs allowed peers,
              TLS or a token.
            </p>
            <div className="settings-grid">
              {listeners.map((name) => (
                <SettingsForm
                  key={name}
                  section={`listeners.${name}` as SettingsSection}
                  title={`Listener ${name}`}
                  note={<p className="muted">{LISTENER_TEXT[name] ?? name}</p>}
                  fields={listenerFields(name)}
                >
                  <Certificates certificates={certs(`listeners.${name}.`)} />
                </SettingsForm>
              ))}
            </div>
          </section>

          <section className="panel" aria-label="Ingest tokens">
            <h2>Ingest tokens</h2>
            <ul className="plain">
              {s.tokens.map((t) => (
                <li key={t.id}>
                  <span className="mono">{t.name}</span> —{' '}
                  {t.revoked_at ? `revoked ${formatTimeShort(t.revoked_at)}` : 'active'}, last used{' '}
                  {t.last_used_at ? formatTimeShort(t.last_used_at) : 'never'}
                </li>
              ))}
            </ul>
            <p className="muted">
              HEC always asks for one; HTTP and _bulk when “Require an ingest token” is on.{' '}
              <a href={routeHref('collector')}>Create, copy and revoke tokens in the Collector view</a>.
            </p>
          </section>

          <section className="panel" aria-label="API and certificates">
            <h2>API and certificates</h2>
            <SettingsForm
              section="api"
              title="API"
              note={
                <p className="muted">
                  The headless host’s web UI and API (outpost serve); HTTPS with a certificate.
                </p>
              }
              fields={[
                { key: 'host', label: 'Host', kind: 'text' },
                { key: 'port', label: 'Port', kind: 'number' },
                { key: 'tls_cert_file', label: 'HTTPS certificate file', kind: 'text', nullable: true },
                { key: 'tls_key_file', label: 'HTTPS key file', kind: 'text', nullable: true },
                {
                  key: 'client_ca_file',
                  label: 'Console client CA file',
                  kind: 'text',
                  nullable: true,
                  hint: 'a core: consoles may sync with a certificate from this CA',
                },
              ]}
            >
              <Certificates certificates={certs('api.')} />
            </SettingsForm>
          </section>

          <section className="panel" aria-label="Retention">
            <h2>Retention</h2>
            <SettingsForm
              section="storage"
              title="Hot storage"
              fields={[
                {
                  key: 'hot_days',
                  label: 'Days archived events stay in SQLite',
                  kind: 'number',
                  hint: '0: until archived by size; events not yet archived always stay',
                },
              ]}
            />
            <SettingsForm
              section="archive"
              title="Archive"
              fields={[
                { key: 'max_age_days', label: 'Maximum age (days)', kind: 'number', hint: '0: forever' },
                { key: 'max_bytes', label: 'Maximum size (bytes)', kind: 'number', hint: '0: no limit' },
              ]}
            />
          </section>

          <section className="panel" aria-label="Detection">
            <h2>Detection</h2>
            <SettingsForm
              section="detection"
              title="Detection"
              fields={[
                { key: 'enabled', label: 'Run the enabled Sigma rules', kind: 'bool' },
                { key: 'suppression_window_s', label: 'Fold repeats within (seconds)', kind: 'number' },
                {
                  key: 'incidents.min_level',
                  label: 'Group alerts from level',
                  kind: 'select',
                  options: LEVELS,
                },
                {
                  key: 'incidents.group_by',
                  label: 'Group by',
                  kind: 'list',
                  hint: 'host, user, tactic (comma-separated)',
                },
                { key: 'incidents.window_s', label: 'Incident window (seconds)', kind: 'number' },
                { key: 'ioc.enabled', label: 'Match events against the IOC watchlist', kind: 'bool' },
                {
                  key: 'ioc.default_level',
                  label: 'IOC match level',
                  kind: 'select',
                  options: LEVELS,
                  hint: 'when the indicator gives none (TAXII indicators never do)',
                },
                {
                  key: 'ioc.match_subdomains',
                  label: 'A domain indicator matches its subdomains',
                  kind: 'bool',
                },
              ]}
            />
          </section>

          <section className="panel" aria-label="Response">
            <h2>Response actions and webhooks</h2>
            <SettingsForm
              section="actions"
              title="Response actions"
              fields={[
                {
                  key: 'two_person_rule',
                  label: 'Two-person rule',
                  kind: 'bool',
                  hint: 'an action is approved by an operator other than the one who proposed it',
                },
                { key: 'max_attempts', label: 'Tries per approved action', kind: 'number' },
                {
                  key: 'retry_base_s',
                  label: 'First retry after (seconds)',
                  kind: 'number',
                  hint: 'doubling each time',
                },
                {
                  key: 'webhook_allow',
                  label: 'Webhook action destinations',
                  kind: 'rows',
                  addLabel: 'Add a destination',
                  hint: 'URL prefixes the webhook action may POST to; none: the action is off',
                },
                {
                  key: 'commands',
                  label: 'Allowed programs',
                  kind: 'rows',
                  addLabel: 'Add a program',
                  hint: 'absolute paths the command action may run (no shell); none: the action is off',
                },
              ]}
            />
            <SettingsForm
              section="webhooks"
              title="Webhooks"
              note={
                <p className="muted">
                  Subscriptions (alert, incident and action changes, HMAC-signed) are made in the Actions
                  view.
                </p>
              }
              fields={[
                {
                  key: 'allow',
                  label: 'Allowed destinations',
                  kind: 'rows',
                  addLabel: 'Add an allowed destination',
                  hint: 'URL prefixes, e.g. http://127.0.0.1:5678/webhook/; none: every subscription refused',
                },
                { key: 'max_attempts', label: 'Tries per delivery', kind: 'number' },
                { key: 'retry_base_s', label: 'First retry after (seconds)', kind: 'number' },
              ]}
            />
          </section>

          <section className="panel" aria-label="Exchange">
            <h2>Bundles, TAXII and NATS</h2>
            <SettingsForm
              section="bundles"
              title="Bundles"
              fields={[
                {
                  key: 'mode',
                  label: 'Bundle mode',
                  kind: 'select',
                  options: ['two-way', 'export-only', 'import-only'],
                  hint: 'export-only: a console behind a data diode; import-only: the core on its far side',
                },
              ]}
            />
            <SettingsForm
              section="taxii"
              title="TAXII"
              note={
                <p className="muted">
                  Collections to pull STIX indicators from into the IOC watchlist; none: Outpost connects
                  nowhere. Published reports are served at /taxii2/ up to the TLP below.
                </p>
              }
              fields={[
                {
                  key: 'serve_max_tlp',
                  label: 'Serve up to TLP',
                  kind: 'select',
                  options: ['clear', 'green', 'amber', 'amber+strict', 'red'],
                },
                {
                  key: 'sources',
                  label: 'TAXII source',
                  kind: 'records',
                  addLabel: 'Add a TAXII source',
                  columns: [
                    { key: 'name', label: 'Name', kind: 'text' },
                    {
                      key: 'url',
                      label: 'URL',
                      kind: 'text',
                      hint: 'objects URL, or API root with a collection',
                    },
                    { key: 'collection', label: 'Collection', kind: 'text', nullable: true },
                    { key: 'token', label: 'Token', kind: 'secret' },
                    { key: 'username', label: 'Username', kind: 'text', nullable: true },
                    { key: 'password', label: 'Password', kind: 'secret' },
                    { key: 'ca_file', label: 'CA file', kind: 'text', nullable: true },
                    { key: 'interval_s', label: 'Pull every (seconds)', kind: 'number', initial: '3600' },
                    { key: 'page_size', label: 'Page size', kind: 'number', initial: '500' },
                  ],
                },
              ]}
            />
            <SettingsForm
              section="nats"
              title="NATS"
              note={
                <p className="muted">
                  A team core as replicas over NATS JetStream; a console with it on publishes its outbox.
                </p>
              }
              fields={[
                { key: 'enabled', label: 'Use NATS JetStream', kind: 'bool' },
                {
                  key: 'servers',
                  label: 'NATS server',
                  kind: 'rows',
                  addLabel: 'Add a server',
                  hint: 'nats://host:port or tls://host:port',
                },
                { key: 'site', label: 'Site', kind: 'text' },
                { key: 'replica', label: 'Replica name', kind: 'text', hint: 'unique per core replica' },
                { key: 'replicas', label: 'Stream copies', kind: 'number' },
                { key: 'duplicate_window_s', label: 'Duplicate window (seconds)', kind: 'number' },
                { key: 'max_age_days', label: 'Stream max age (days)', kind: 'number', hint: '0: unlimited' },
                { key: 'max_bytes', label: 'Stream max bytes', kind: 'number', hint: '0: unlimited' },
                { key: 'max_msgs', label: 'Stream max messages', kind: 'number', hint: '0: unlimited' },
              ]}
            />
          </section>

          <section className="panel" aria-label="Connector">
            <h2>Connector</h2>
            <p>
              {s.sync?.configured
                ? `Connected to ${s.sync.url ?? ''} as ${s.sync.console_id ?? '?'}.`
                : 'Not connected: this console opens no outbound connection.'}{' '}
              <a href={routeHref('sync')}>Connect, push, pull and resolve conflicts in the Sync view</a>.
            </p>
            <SettingsForm
              section="connector"
              title="Connector"
              note={
                <p className="muted">
                  A connection made in the Sync view (or outpost sync connect) takes precedence over these.
                </p>
              }
              fields={[
                { key: 'url', label: 'Core URL', kind: 'text', nullable: true },
                { key: 'token', label: 'Console token', kind: 'secret', hint: 'empty: keep the one saved' },
                { key: 'ca_file', label: 'Core CA file', kind: 'text', nullable: true },
                { key: 'cert_file', label: 'Client certificate file', kind: 'text', nullable: true },
                { key: 'key_file', label: 'Client key file', kind: 'text', nullable: true },
                { key: 'interval_s', label: 'Sync every (seconds)', kind: 'number' },
              ]}
            >
              <Certificates certificates={certs('connector.')} />
            </SettingsForm>
          </section>
        </>
      )}
    </div>
  )
}
