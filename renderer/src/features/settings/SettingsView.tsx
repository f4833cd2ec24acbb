import { useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { routeHref } from '../../app/use-route'
import { setTheme, THEMES, useTheme } from '../../app/theme'
import { useAppStore } from '../../state/store'

const desktopPermission = (): NotificationPermission | 'unsupported' =>
  'Notification' in window ? window.Notification.permission : 'unsupported'

const PERMISSION_TEXT = {
  granted: 'on: critical alerts and approvals also show as desktop notifications',
  denied: 'blocked: allow notifications for Outpost in the system (or browser) settings',
  default: 'not asked yet',
  unsupported: 'not available in this window',
} as const

const days = (n: number): string => (n === 0 ? 'no limit' : `${n} days`)

/**
 * What this console runs with. Theme and notifications are this window's to change; the rest is the
 * core's config file (edited there, applied at restart), shown so an operator can check it at a glance.
 */
export const SettingsView = () => {
  const { info, error, transport, toast } = useAppStore(
    useShallow((s) => ({ info: s.info, error: s.infoError, transport: s.transport.kind, toast: s.toast })),
  )
  const theme = useTheme()
  const [permission, setPermission] = useState(desktopPermission)
  const ask = (): void => {
    void window.Notification.requestPermission().then((answer) => {
      setPermission(answer)
      toast(
        answer === 'granted' ? 'ok' : 'info',
        `Desktop notifications ${answer === 'granted' ? 'on' : answer}`,
      )
    })
  }
  return (
    // Focusable so the keyboard can scroll it (axe: scrollable-region-focusable).
    <div className="scroll" tabIndex={0} role="region" aria-label="Settings">
      <div className="view-header">
        <h1>Settings</h1>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
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
                  toast('ok', `Theme: ${t}`)
                }}
              />{' '}
              {t === 'dark' ? 'Dark (dim rooms)' : 'Light'}
            </label>
          ))}
        </fieldset>
        <p className="muted">Kept in this window; until chosen, Outpost follows the system’s preference.</p>
        <h3>Classification banner</h3>
        <p>
          {info?.ui.banner ? (
            <>
              <span className="mono">{info.ui.banner.text}</span> ({info.ui.banner.color})
            </>
          ) : (
            'None.'
          )}{' '}
          <span className="muted">
            Set <code>ui.banner</code> in config.yaml, e.g.{' '}
            <code>{'banner: { text: "TLP:AMBER", color: tlp-amber }'}</code>, and restart.
          </span>
        </p>
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

      {info && (
        <section className="panel" aria-label="Collector settings">
          <h2>Collector</h2>
          <dl className="kv">
            <dt className="muted">Connected via</dt>
            <dd>{transport === 'ipc' ? 'desktop (IPC)' : 'browser (HTTP + WebSocket)'}</dd>
            <dt className="muted">Data dir</dt>
            <dd className="mono">{info.data_dir}</dd>
            <dt className="muted">Config file</dt>
            <dd className="mono">{info.settings.config_file}</dd>
            <dt className="muted">Listeners</dt>
            <dd className="mono">
              {Object.entries(info.listeners).map(([name, ep]) => (
                <div key={name}>
                  {name}: {ep.host}:{ep.port}
                </div>
              ))}
              {Object.keys(info.listeners).length === 0 && 'none enabled'}
            </dd>
            <dt className="muted">Ingest tokens</dt>
            <dd>
              <a href={routeHref('collector')}>Create and revoke tokens in the Collector view</a>
            </dd>
            <dt className="muted">TLS certificates</dt>
            <dd className="mono">
              {Object.entries(info.settings.tls).map(([name, tls]) => (
                <div key={name}>
                  {name} ({tls.enabled ? 'on' : 'off'}): cert {tls.cert_file}, key {tls.key_file}
                  {tls.ca_file && `, client CA ${tls.ca_file}`}
                </div>
              ))}
            </dd>
            <dt className="muted">Retention</dt>
            <dd>
              hot (SQLite): {days(info.settings.retention.hot_days)}; archive:{' '}
              {days(info.settings.retention.archive_max_age_days)},{' '}
              {info.settings.retention.archive_max_bytes === 0
                ? 'no size limit'
                : `at most ${(info.settings.retention.archive_max_bytes / 1024 ** 3).toFixed(1)} GiB`}
            </dd>
            <dt className="muted">Connector</dt>
            <dd className="muted">No connector configured in this build.</dd>
          </dl>
          <p className="muted">
            These come from the config file: edit it and restart Outpost. A mistake there stops the start with
            the file, the key and the reason.
          </p>
        </section>
      )}
    </div>
  )
}
