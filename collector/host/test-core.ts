// Helpers for tests that drive an in-process core (createCore). Not used by the product.
import type { Alert, CallRes, StoredEvent } from '../contract'
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

const WHOAMI_RULE = `title: Test Whoami
id: 0c7d3d1e-6f0e-4bb8-9c43-3c2e7d4a5b99
author: Outpost tests
tags: [attack.discovery, attack.t1033]
logsource: {product: windows, category: process_creation}
detection:
  selection: {Image|endswith: '\\\\whoami.exe'}
  condition: selection
level: medium
`

/**
 * Saves a rule matching whoami.exe, posts a Sysmon process creation of it from each host over the
 * HTTP listener, and returns the alerts they raise, one per host (waiting for the live engine, up
 * to 5 s).
 */
export const raiseAlerts = async (core: Core, hosts: readonly string[]): Promise<Alert[]> => {
  await callOk(core, 'rules:save', { text: WHOAMI_RULE })
  const url = `http://127.0.0.1:${core.listeners.http!.port}/v1/events`
  for (const host of hosts) {
    const event = {
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      EventID: 1,
      Computer: host,
      host,
      '@timestamp': '2026-11-21T09:00:00Z',
      Image: 'C:\\Windows\\System32\\whoami.exe',
    }
    const response = await fetch(url, { method: 'POST', body: JSON.stringify(event) })
    if (response.status !== 200) throw new Error(`the event from ${host} was refused: ${response.status}`)
  }
  for (let i = 0; i < 200; i++) {
    const { alerts } = await callOk<CallRes<'alerts:list'>>(core, 'alerts:list', {})
    const found = hosts.map((host) => alerts.find((a) => a.origin === 'sigma' && a.host === host))
    if (found.every((a) => a !== undefined)) return found
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`no alert for each of ${hosts.join(', ')} within 5 s`)
}

export const raiseAlert = async (core: Core, host = 'ws-9'): Promise<Alert> =>
  (await raiseAlerts(core, [host]))[0]!

/** Polls `check` until it holds (a core, a replica or a peer catching up), or fails naming `what`. */
export const waitFor = async (
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 30_000,
  everyMs = 50,
): Promise<void> => {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
