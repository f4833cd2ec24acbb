import { WS_PATH, callPath, isEventName, type EventName, type Result } from '../../../collector/contract'
import type { ConnectionState, Transport } from './transport'

type AnyListener = (payload: unknown) => void

/**
 * The headless host (`outpost serve`): calls are POST /api/domain/verb, pushes arrive on one
 * WebSocket that reconnects with backoff. Auth is the cookie the host set on first load.
 */
export const createHttpTransport = (origin: string = window.location.origin): Transport => {
  const listeners = new Map<EventName, Set<AnyListener>>()
  const connectionListeners = new Set<(state: ConnectionState) => void>()
  let state: ConnectionState = 'connecting'
  let retryMs = 250

  const setState = (next: ConnectionState): void => {
    state = next
    for (const listener of connectionListeners) listener(next)
  }

  const connect = (): void => {
    const ws = new WebSocket(origin.replace(/^http/, 'ws') + WS_PATH)
    ws.onopen = () => {
      retryMs = 250
      setState('open')
    }
    ws.onmessage = (message: MessageEvent<string>) => {
      let data: { event?: unknown; payload?: unknown }
      try {
        data = JSON.parse(message.data) as typeof data
      } catch {
        return
      }
      if (!isEventName(data.event)) return
      for (const listener of listeners.get(data.event) ?? []) listener(data.payload)
    }
    ws.onclose = () => {
      setState('closed')
      setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 5000)
    }
  }
  connect()

  return {
    kind: 'http',
    invoke: async (name, req) => {
      let response: Response
      try {
        response = await fetch(origin + callPath(name), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(req ?? {}),
          credentials: 'same-origin',
        })
      } catch (error) {
        return {
          ok: false,
          error: { code: 'unavailable', message: `cannot reach Outpost: ${(error as Error).message}` },
        }
      }
      try {
        return (await response.json()) as Result<never>
      } catch {
        return {
          ok: false,
          error: {
            code: 'unavailable',
            message: `Outpost answered HTTP ${response.status} without a result`,
          },
        }
      }
    },
    on: (name, listener) => {
      const set = listeners.get(name) ?? new Set<AnyListener>()
      listeners.set(name, set)
      set.add(listener as AnyListener)
      return () => {
        set.delete(listener as AnyListener)
      }
    },
    onConnection: (listener) => {
      connectionListeners.add(listener)
      listener(state)
      return () => {
        connectionListeners.delete(listener)
      }
    },
  }
}
