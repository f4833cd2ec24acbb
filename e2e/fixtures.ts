import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base, expect } from '@playwright/test'
import { callPath, type CallName, type CallReq, type CallRes, type Result } from '../collector/contract'
import { spawnServe, type ServeProcess } from '../collector/host/serve-process'

/** A fresh `outpost serve` on free ports with its own data dir, stopped after the test. */
export type Outpost = Fixtures['outpost']

type Fixtures = {
  /** A fresh `outpost serve` on free ports with its own data dir, stopped after the test. */
  outpost: ServeProcess & {
    dataDir: string
    ingest(events: unknown, listener?: string): Promise<Response>
    /** A contract call over the API, as the console makes it: for setting a scene, not for asserting UI. */
    call<K extends CallName>(name: K, req: CallReq<K>): Promise<CallRes<K>>
  }
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
  outpost: async ({}, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-e2e-'))
    const serve = await spawnServe(['--data-dir', dataDir, '--port', '0'])
    const ingest = (events: unknown, listener = 'http'): Promise<Response> =>
      fetch(`http://127.0.0.1:${serve.ready.listeners[listener]}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof events === 'string' ? events : JSON.stringify(events),
      })
    const call = async <K extends CallName>(name: K, req: CallReq<K>): Promise<CallRes<K>> => {
      const response = await fetch(serve.ready.api + callPath(name), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${serve.ready.token}` },
        body: JSON.stringify(req),
      })
      const result = (await response.json()) as Result<CallRes<K>>
      if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`)
      return result.value
    }
    await use(Object.assign(serve, { dataDir, ingest, call }))
    const code = await serve.stop()
    rmSync(dataDir, { recursive: true, force: true })
    expect(code, `outpost serve should exit 0 on SIGTERM; its log:\n${serve.stderr()}`).toBe(0)
  },
})

export { expect }
