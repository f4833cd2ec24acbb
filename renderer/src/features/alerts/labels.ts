import type { AlertStatus } from '../../../../collector/contract'

export const STATUS_LABEL: Record<AlertStatus, string> = {
  new: 'new',
  acknowledged: 'acknowledged',
  escalated: 'escalated',
  false_positive: 'false positive',
  closed: 'closed',
}
