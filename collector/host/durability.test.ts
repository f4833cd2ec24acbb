import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../contract'
import { spawnServe, type ServeProcess } from './serve-process'

// The promise to forwarders: nothing acknowledged is ever lost. Prove it the hard way: a real
// `outpost serve` is killed with SIGKILL while clients are mid-stream, then restarted.
const dataDir = mkdtempSync(join(tmpdir(), 'outpost-kill9-'))
const running: ServeProcess[] = []
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')))
  rmSync(dataDir, { recursive: true, force: true })
})

const BATCH = 200
const CLIENTS = 4

describe('kill -9 mid-stream', () => {
  it('loses no acknowledged event and stores none twice', async () => {
    const first = await spawnServe(['--data-dir', dataDir, '--port', '0'])
    running.push(first)
    const url = `http://127.0.0.1:${first.ready.listeners.http}/v1/events`
    const acknowledged: number[] = []
    let next = 0
    let killed = false

    const client = async (): Promise<void> => {
      while (!killed) {
        const ids = Array.from({ length: BATCH }, () => next++)
        const body = ids.map((n) => JSON.stringify({ message: `kill9-${n}`, n })).join('\n')
        try {
          const response = await fetch(url, { method: 'POST', body })
          if (response.status === 200) acknowledged.push(...ids)
        } catch {
          // the server died under this request: not acknowledged, so no promise was made
        }
      }
    }
    const clients = Array.from({ length: CLIENTS }, () => client())
    // Let acknowledgements pile up, then pull the plug without warning.
    while (acknowledged.length < 20_000) await new Promise((r) => setTimeout(r, 10))
    first.child.kill('SIGKILL')
    killed = true
    await first.stop()
    await Promise.all(clients)
    expect(acknowledged.length).toBeGreaterThanOrEqual(20_000)

    const second = await spawnServe(['--data-dir', dataDir, '--port', '0'])
    running.push(second)
    const stored = new Map<string, number>()
    let before: number | undefined
    for (;;) {
      const response = await fetch(`${second.ready.api}/api/events/list`, {
        method: 'POST',
        headers: { authorization: `Bearer ${second.ready.token}` },
        body: JSON.stringify(before === undefined ? { limit: 1000 } : { limit: 1000, before }),
      })
      const page = ((await response.json()) as { value: CallRes<'events:list'> }).value
      for (const event of page.events) stored.set(event.message!, (stored.get(event.message!) ?? 0) + 1)
      if (page.events.length < 1000) break
      before = page.events.at(-1)!.seq
    }
    const lost = acknowledged.filter((n) => !stored.has(`kill9-${n}`))
    expect(lost).toEqual([])
    expect([...stored.values()].filter((count) => count > 1)).toEqual([])
    // Whatever was in flight when it died was either stored whole or not at all.
    expect(stored.size % BATCH).toBe(0)
  })
})
