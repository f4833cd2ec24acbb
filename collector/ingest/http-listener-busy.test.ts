import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../host/log'
import { HttpListener } from './http-listener'
import { BusyError, type IngestPipeline } from './pipeline'
import { SourceStats } from './source-stats'

// Storage behind: the pipeline refuses; the client must hear 503 with Retry-After, not a hang or a 200.
describe('HTTP listener when storage is behind', () => {
  const listener = new HttpListener(
    {
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 1 << 20,
      requireToken: false,
      checkToken: () => ({ ok: false, reason: 'unknown' }),
    },
    { submit: () => Promise.reject(new BusyError(250_000)) } as unknown as IngestPipeline,
    new SourceStats(),
    {} as never,
    {} as never,
    silentLogger,
  )
  let url = ''
  beforeAll(async () => {
    url = `http://127.0.0.1:${(await listener.start()).port}/v1/events`
  })
  afterAll(() => listener.stop())

  it('answers 503 with Retry-After and says why, storing nothing', async () => {
    const response = await fetch(url, { method: 'POST', body: '{"a":1}\n{"a":2}' })
    expect(response.status).toBe(503)
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await response.json()) as { error: string }).error).toMatch(
      /storage is behind \(250000 events waiting/,
    )
  })
})
