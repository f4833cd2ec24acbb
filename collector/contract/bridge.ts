import type { CallName, EventName } from './channels'
import type { CallReq, CallRes, EventPayload } from './schemas'
import type { Result } from './result'

/** What the preload exposes as `window.outpost`, and what every renderer transport implements. */
export type OutpostBridge = {
  invoke<K extends CallName>(name: K, req: CallReq<K>): Promise<Result<CallRes<K>>>
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void
}
