import { useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { formatTimeShort } from '../components/format'
import { useAppStore } from '../state/store'
import { routeHref } from './use-route'

const KIND_LABEL = {
  critical_alert: 'Critical alert',
  silent_source: 'Silent source',
  approval_needed: 'Approval needed',
} as const

const desktopPermission = (): NotificationPermission | 'unsupported' =>
  typeof window !== 'undefined' && 'Notification' in window ? window.Notification.permission : 'unsupported'

/** The bell in the header: unread count, the list, mark read, and desktop notifications on request. */
export const NotificationCentre = () => {
  const s = useAppStore(
    useShallow((state) => ({
      notifications: state.notifications,
      unread: state.unreadNotifications,
      load: state.loadNotifications,
      read: state.readNotifications,
    })),
  )
  const { load } = s
  useEffect(() => void load(), [load])
  const [open, setOpen] = useState(false)
  const [permission, setPermission] = useState(desktopPermission)
  return (
    <div className="notification-centre">
      <button
        type="button"
        aria-label={`Notifications, ${s.unread} unread`}
        aria-expanded={open}
        aria-controls="notification-panel"
        onClick={() => setOpen(!open)}
      >
        <svg aria-hidden="true" width="14" height="14" viewBox="0 0 24 24" fill="currentColor">
          <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" />
        </svg>{' '}
        <span className="mono">{s.unread}</span>
      </button>
      {open && (
        <section
          id="notification-panel"
          className="panel notification-panel"
          aria-label="Notification centre"
        >
          <div className="field-row">
            <h3>Notifications</h3>
            <span className="spacer" />
            <button type="button" disabled={s.unread === 0} onClick={() => void s.read()}>
              Mark all read
            </button>
            {permission === 'default' && (
              <button
                type="button"
                onClick={() => void window.Notification.requestPermission().then(setPermission)}
              >
                Enable desktop notifications
              </button>
            )}
          </div>
          {s.notifications.length === 0 && <p className="muted">Nothing yet.</p>}
          <ul aria-label="Notifications">
            {s.notifications.map((n) => (
              <li key={n.id} data-read={n.read}>
                <span className="status-badge">{KIND_LABEL[n.kind]}</span>{' '}
                {n.incident_id ? (
                  <a href={routeHref('incidents', { id: n.incident_id })}>{n.title}</a>
                ) : (
                  // Alerts outside incidents are in the Alerts view; actions outside them in System.
                  <a href={routeHref(n.ref_type === 'alert' ? 'alerts' : 'system')}>{n.title}</a>
                )}{' '}
                <span className="muted">{n.body}</span>{' '}
                <span className="mono muted">{formatTimeShort(n.at)}</span>{' '}
                {!n.read && (
                  <button
                    type="button"
                    aria-label={`Mark read: ${n.title}`}
                    onClick={() => void s.read([n.id])}
                  >
                    Mark read
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  )
}
