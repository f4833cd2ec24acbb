/**
 * What reaches the notification centre (and the desktop's notifications): critical alerts, alerts
 * of sources gone silent (raised by the monitor agent), and actions waiting for approval.
 */
import type { Action, Alert } from '../contract'
import type { NewNotification } from '../store/sqlite/notifications-repo'

/** The monitor agent's rule for a source that stopped sending. */
export const SILENT_SOURCE_RULE = 'outpost-agent-monitor-silent-source'

export const alertNotification = (alert: Alert): NewNotification | undefined => {
  const where = [alert.host, alert.user].filter(Boolean).join(', ')
  if (alert.rule_id === SILENT_SOURCE_RULE)
    return {
      kind: 'silent_source',
      title: `Source silent: ${alert.host ?? alert.title}`,
      body: alert.title,
      ref_type: 'alert',
      ref_id: alert.id,
      incident_id: alert.incident_id,
    }
  if (alert.level === 'critical')
    return {
      kind: 'critical_alert',
      title: `Critical alert: ${alert.title}`,
      body: where ? `on ${where}` : alert.origin,
      ref_type: 'alert',
      ref_id: alert.id,
      incident_id: alert.incident_id,
    }
  return undefined
}

export const actionNotification = (action: Action): NewNotification | undefined =>
  action.status === 'proposed'
    ? {
        kind: 'approval_needed',
        title: `Action waiting for approval: ${action.type.replace('_', ' ')}`,
        body: `${Object.values(action.params)
          .filter((v) => typeof v === 'string')
          .join(' ')} — proposed by ${action.proposed_by} (${action.proposed_source})`,
        ref_type: 'action',
        ref_id: action.id,
        incident_id: action.incident_id,
      }
    : undefined
