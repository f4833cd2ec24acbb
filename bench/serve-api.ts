import { callPath, type CallName, type CallReq, type CallRes, type Result } from '../collector/contract'
import type { ServeProcess } from '../collector/host/serve-process'

/** Contract calls to a benchmark's `outpost serve`, over its HTTP API; a failure throws. */
export const serveCaller =
  (serve: ServeProcess) =>
  async <K extends CallName>(name: K, req: CallReq<K>): Promise<CallRes<K>> => {
    const response = await fetch(serve.ready.api + callPath(name), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${serve.ready.token}` },
      body: JSON.stringify(req),
    })
    const result = (await response.json()) as Result<CallRes<K>>
    if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
    return result.value
  }
