import {
  UPLOAD_PATH,
  WS_PATH,
  callPath,
  isEventName,
  type EventName,
  type Result,
} from '../../../collector/contract'
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

  /** Every answer from the host is a Result; anything else means it is not reachable. */
  const send = async <T>(path: string, init: RequestInit): Promise<Result<T>> => {
    let response: Response
    try {
      response = await fetch(origin + path, { ...init, credentials: 'same-origin' })
    } catch (error) {
      return {
        ok: false,
        error: { code: 'unavailable', message: `cannot reach Outpost: ${(error as Error).message}` },
      }
    }
    try {
      return (await response.json()) as Result<T>
    } catch {
      return {
        ok: false,
        error: { code: 'unavailable', message: `Outpost answered HTTP ${response.status} without a result` },
      }
    }
  }

  return {
    kind: 'http',
    invoke: (name, req) =>
      send(callPath(name), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(req ?? {}),
      }),
    // The body is the File itself: the browser streams it from disk, never whole in memory.
    upload: (file) =>
      send(`${UPLOAD_PATH}?name=${encodeURIComponent(file.name)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: file,
      }),
    pathForFile: () => null,
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
