import type { CallName, EventName, EventPayload, Result } from '../../../collector/contract'
import type { Transport } from '../transport'

export type RecordedCall = { name: CallName; req: unknown }
export type Answers = Partial<Record<CallName, (req: unknown) => Result<unknown>>>

/** A transport for slice tests: answers calls from `answers` (else unknown_call) and records them. */
export const fakeTransport = (answers: Answers, kind: Transport['kind'] = 'http') => {
  const calls: RecordedCall[] = []
  const listeners = new Map<EventName, Set<(payload: never) => void>>()
  const transport: Transport = {
    kind,
    invoke: (name, req) => {
      calls.push({ name, req })
      const answer = answers[name]
      return Promise.resolve(
        (answer ? answer(req) : { ok: false, error: { code: 'unknown_call', message: name } }) as never,
      )
    },
    on: (name, listener) => {
      const set = listeners.get(name) ?? new Set()
      listeners.set(name, set)
      set.add(listener)
      return () => set.delete(listener)
    },
    onConnection: () => () => {},
    upload: () => Promise.resolve({ ok: false, error: { code: 'unsupported', message: 'no' } }),
    pathForFile: () => null,
  }
  /** Delivers a push to whoever subscribed (connectStore). */
  const emit = <E extends EventName>(name: E, payload: EventPayload<E>): void => {
    for (const listener of listeners.get(name) ?? []) (listener as (p: EventPayload<E>) => void)(payload)
  }
  return { transport, calls, emit, named: (name: CallName) => calls.filter((c) => c.name === name) }
}
