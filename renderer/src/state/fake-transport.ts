import type { CallName, Result } from '../../../collector/contract'
import type { Transport } from '../transport'

export type RecordedCall = { name: CallName; req: unknown }
export type Answers = Partial<Record<CallName, (req: unknown) => Result<unknown>>>

/** A transport for slice tests: answers calls from `answers` (else unknown_call) and records them. */
export const fakeTransport = (answers: Answers) => {
  const calls: RecordedCall[] = []
  const transport: Transport = {
    kind: 'http',
    invoke: (name, req) => {
      calls.push({ name, req })
      const answer = answers[name]
      return Promise.resolve(
        (answer ? answer(req) : { ok: false, error: { code: 'unknown_call', message: name } }) as never,
      )
    },
    on: () => () => {},
    onConnection: () => () => {},
    upload: () => Promise.resolve({ ok: false, error: { code: 'unsupported', message: 'no' } }),
    pathForFile: () => null,
  }
  return { transport, calls, named: (name: CallName) => calls.filter((c) => c.name === name) }
}
