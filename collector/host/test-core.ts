// Helpers for tests that drive an in-process core (createCore). Not used by the product.
import type { CallRes, StoredEvent } from '../contract'
import type { Core } from './create-core'

/** A call's value, or a thrown error with the contract's message. */
export const callOk = async <T>(core: Core, name: string, req: unknown): Promise<T> => {
  const result = await core.call(name, req)
  if (!result.ok) throw new Error(result.error.message)
  return result.value as T
}

/** The stored events (whole) whose summary mentions `needle`, among the newest 1000. */
export const storedEventsWith = async (core: Core, needle: string): Promise<StoredEvent[]> => {
  const { events } = await callOk<CallRes<'events:list'>>(core, 'events:list', { limit: 1000 })
  const ids = events.filter((e) => JSON.stringify(e).includes(needle)).map((e) => e.id)
  return Promise.all(
    ids.map(async (id) => (await callOk<{ event: StoredEvent }>(core, 'events:get', { id })).event),
  )
}
