import {
  CALL_NAMES,
  fail,
  isCoreCall,
  parseRequest,
  type CallName,
  type CallRes,
  type ParsedReq,
  type Result,
  type ShellCallName,
} from '../collector/contract'

/** The slice of Electron's ipcMain this module needs (so tests can hand in a fake). */
export type IpcMainLike = {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void
  removeHandler(channel: string): void
}
export type IpcEventLike = { senderFrame: { url: string } | null }

export type ShellHandlers = { [K in ShellCallName]: (req: ParsedReq<K>) => Promise<CallRes<K>> }
export type CoreLike = { call(name: string, req: unknown): Promise<Result<unknown>> }

/**
 * Registers one ipcMain handler per contract call: checks the sender is our own renderer,
 * validates the payload with the contract's schema, then forwards to the core or answers
 * shell calls here. Always answers with a Result; never throws across IPC.
 */
export const registerContract = (deps: {
  ipcMain: IpcMainLike
  core: CoreLike
  shell: ShellHandlers
  isTrustedSender: (url: string) => boolean
}): (() => void) => {
  const handle = async (name: CallName, event: IpcEventLike, raw: unknown): Promise<Result<unknown>> => {
    const url = event.senderFrame?.url ?? ''
    if (!deps.isTrustedSender(url))
      return fail('invalid_request', `${name}: refused, sender ${url || '(unknown)'} is not Outpost`)
    const parsed = parseRequest(name, raw)
    if (!parsed.ok) return parsed
    if (isCoreCall(name)) return deps.core.call(name, parsed.value)
    try {
      const shellCall = deps.shell[name] as (req: unknown) => Promise<unknown>
      return { ok: true, value: await shellCall(parsed.value) }
    } catch (error) {
      return fail('internal', `${name} failed: ${(error as Error).message}`)
    }
  }
  for (const name of CALL_NAMES) deps.ipcMain.handle(name, (event, raw) => handle(name, event, raw))
  return () => {
    for (const name of CALL_NAMES) deps.ipcMain.removeHandler(name)
  }
}
