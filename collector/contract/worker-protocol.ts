import type { Endpoint } from './schemas'
import type { EventName } from './channels'
import type { Result } from './result'

/** Messages between the desktop shell (Electron main) and the core in its utilityProcess. */
export type ToCore = { type: 'call'; id: number; name: string; req: unknown } | { type: 'stop' }

export type FromCore =
  | { type: 'ready'; listeners: Record<string, Endpoint> }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; name: EventName; payload: unknown }
  | { type: 'stopped' }
