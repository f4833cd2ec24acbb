import type { AssetKind } from '../../../collector/contract'
import { routeHref } from '../app/use-route'

/** The fields whose values are assets in the inventory, and which kind. */
export const PIVOT_KINDS: Readonly<Record<string, AssetKind>> = {
  host: 'host',
  user: 'user',
  src_ip: 'ip',
  dst_ip: 'ip',
  process: 'process',
}

/** `#/assets?id=host:ws01`: asset ids are `<kind>:<value>`, lowercase. */
export const assetHref = (kind: AssetKind, value: string): string =>
  routeHref('assets', { id: `${kind}:${value.toLowerCase()}` })
