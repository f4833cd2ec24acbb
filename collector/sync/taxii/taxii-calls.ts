import { ContractError, type CallRes, type ParsedReq } from '../../contract'
import type { TaxiiPuller } from './client'

type TaxiiCall = 'taxii:sources' | 'taxii:pull-now'
type Handlers = { [K in TaxiiCall]: (req: ParsedReq<K>) => CallRes<K> | Promise<CallRes<K>> }

/** The contract's taxii:* calls over the puller; `configFile` is named when nothing is configured. */
export const taxiiHandlers = (puller: TaxiiPuller, configFile: string): Handlers => ({
  'taxii:sources': () => ({ sources: puller.status() }),
  'taxii:pull-now': async (req) => {
    const names = puller.configured.map((s) => s.name)
    if (names.length === 0)
      throw new ContractError(
        'invalid_request',
        `no TAXII sources configured: list them under taxii.sources in ${configFile} or in the Settings view`,
      )
    if (req.source !== undefined && !names.includes(req.source))
      throw new ContractError(
        'not_found',
        `no TAXII source named ${req.source}; configured: ${names.join(', ')}`,
      )
    const chosen = req.source === undefined ? names : [req.source]
    return { results: await Promise.all(chosen.map((name) => puller.pull(name))) }
  },
})
