import {
  ObservableType as ObservableTypes,
  type ObservableType,
  type ReportStatus,
  type Tlp,
} from '../../../../collector/contract'

export const TLP_LABEL: Record<Tlp, string> = {
  clear: 'TLP:CLEAR',
  green: 'TLP:GREEN',
  amber: 'TLP:AMBER',
  'amber+strict': 'TLP:AMBER+STRICT',
  red: 'TLP:RED',
}
export const TLPS = Object.keys(TLP_LABEL) as Tlp[]

export const STATUS_LABEL: Record<ReportStatus, string> = {
  draft: 'Draft',
  review: 'In review',
  published: 'Published',
}

/** The button that moves a report to this status. */
export const STATUS_ACTION: Record<ReportStatus, string> = {
  draft: 'Back to draft',
  review: 'Send to review',
  published: 'Publish',
}

/** The contract's observable types, in its order. */
export const OBSERVABLE_TYPES: readonly ObservableType[] = ObservableTypes.options
