/**
 * What makes an observable value acceptable, per type: the same check for the contract, the CLI
 * and the exporters (export/model.ts validates the same way before writing STIX patterns).
 */
import type { ObservableType } from '../contract'
import { OBSERVABLE_TYPES, validateObservable } from './export/model'

/** Null when `value` is a valid `type`, else what is wrong and how to write it. */
export const observableProblem = (type: ObservableType, value: string): string | null =>
  validateObservable(type, value)

/** `TYPE:VALUE` as the CLI takes it (`ipv4:10.0.0.5`, `url:https://x.test/a?b=c`). */
export const parseObservableArg = (arg: string): { type: ObservableType; value: string } | string => {
  const colon = arg.indexOf(':')
  if (colon <= 0) return `"${arg}" is not TYPE:VALUE (e.g. ipv4:10.0.0.5, sha256:<64 hex>)`
  const type = arg.slice(0, colon).toLowerCase()
  const value = arg.slice(colon + 1)
  const types: readonly string[] = OBSERVABLE_TYPES
  if (!types.includes(type)) return `unknown observable type "${type}": use one of ${types.join(', ')}`
  const problem = observableProblem(type as ObservableType, value)
  return problem ? `${arg}: ${problem}` : { type: type as ObservableType, value }
}
