/** Error codes the UI can act on. Add here, never invent one at a call site. */
export const ERROR_CODES = [
  'invalid_request', // the request did not match the contract's schema
  'unknown_call', // no such call in the contract
  'not_found', // the id does not exist
  'conflict', // it would clash with what is stored (e.g. a rule id already in another file)
  'unsupported', // this host cannot do that (e.g. a native dialog in the browser host)
  'unavailable', // the core is starting, stopping or crashed
  'internal', // a bug: the message says what failed
  'cancelled', // the operator cancelled the task (tasks:cancel); nothing partial was left
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export type OutpostError = { code: ErrorCode; message: string }
export type Result<T> = { ok: true; value: T } | { ok: false; error: OutpostError }

export const ok = <T>(value: T): Result<T> => ({ ok: true, value })
export const fail = (code: ErrorCode, message: string): { ok: false; error: OutpostError } => ({
  ok: false,
  error: { code, message },
})

/** Thrown inside the core to produce a typed failure; anything else becomes `internal`. */
export class ContractError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'ContractError'
  }
}
