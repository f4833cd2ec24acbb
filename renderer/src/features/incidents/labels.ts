import type { IncidentStatus } from '../../../../collector/contract'

export const INCIDENT_STATUS_LABEL: Record<IncidentStatus, string> = {
  new: 'New',
  triage: 'Triage',
  contained: 'Contained',
  eradicated: 'Eradicated',
  closed: 'Closed',
}

export type Pap = 'clear' | 'green' | 'amber' | 'red'
export const PAPS: readonly Pap[] = ['clear', 'green', 'amber', 'red']
export const PAP_LABEL: Record<Pap, string> = {
  clear: 'PAP:CLEAR',
  green: 'PAP:GREEN',
  amber: 'PAP:AMBER',
  red: 'PAP:RED',
}
