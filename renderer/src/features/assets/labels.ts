import type { AssetKind, AssetRelation, Criticality } from '../../../../collector/contract'

export const KIND_LABEL: Record<AssetKind, string> = {
  host: 'Host',
  ip: 'IP address',
  user: 'User',
  process: 'Process',
  service: 'Service',
}

export const RELATION_LABEL: Record<AssetRelation | 'alert', string> = {
  address: 'has address',
  logon: 'logon',
  ran: 'ran',
  spawned: 'spawned',
  connected: 'connected to',
  service: 'service',
  alert: 'alert',
}

export const CRITICALITY_LABEL: Record<Criticality, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
}

/** The asset page's address; the graph's, centred on one asset or not. */
export const assetHref = (id: string): string => `#/assets?id=${encodeURIComponent(id)}`
export const graphHref = (center?: string): string =>
  center ? `#/assets?view=graph&center=${encodeURIComponent(center)}` : '#/assets?view=graph'
