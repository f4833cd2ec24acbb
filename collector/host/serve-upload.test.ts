import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { spawnServe, type ServeProcess } from './serve-process'

// The built CLI (`npm run build`) as a real process, like serve.test.ts.
const dirs: string[] = []
const running: ServeProcess[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const serve = async (maxUploadBytes = 64 * 1024): Promise<ServeProcess & { dataDir: string }> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-upload-'))
  dirs.push(dataDir)
  writeFileSync(join(dataDir, 'config.yaml'), `api:\n  max_upload_bytes: ${maxUploadBytes}\n`)
  const p = await spawnServe(['--data-dir', dataDir, '--port', '0'])
  running.push(p)
  return Object.assign(p, { dataDir })
}

const ndjson = (n: number): string =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ message: `line ${i}`, 'host.name': 'ws-01' })).join(
    '\n',
  )

/** Streams `chunks` without a content-length (chunked), as a client that does not say its size. */
const putChunked = (url: string, token: string, chunks: string[]) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    for (const chunk of chunks) req.write(chunk)
    req.end()
  })

describe('PUT /api/upload', () => {
  it('refuses without the token, from another origin, and over the size cap', async () => {
    const { ready, dataDir } = await serve(4096)
    const url = `${ready.api}/api/upload?name=a.ndjson`
    const auth = { authorization: `Bearer ${ready.token}` }
    expect((await fetch(url, { method: 'PUT', body: '{}' })).status).toBe(401)
    expect(
      (await fetch(url, { method: 'PUT', body: '{}', headers: { ...auth, origin: 'https://evil.example' } }))
        .status,
    ).toBe(403)
    expect(
      (await fetch(`${ready.api}/api/upload`, { method: 'PUT', body: '{}', headers: auth })).status,
    ).toBe(400)
    expect((await fetch(url, { method: 'POST', body: '{}', headers: auth })).status).toBe(405)

    const declared = await fetch(url, { method: 'PUT', body: 'x'.repeat(5000), headers: auth })
    expect(declared.status).toBe(413)
    expect(await declared.json()).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('max_upload_bytes') as string },
    })
    const streamed = await putChunked(
      url,
      ready.token,
      Array.from({ length: 10 }, () => 'y'.repeat(1000)),
    )
    expect(streamed.status).toBe(413)
    // Nothing half-written is left (removed once the refused stream has closed).
    await expect.poll(() => readdirSync(join(dataDir, 'uploads'))).toEqual([])
  })

  it('stores the file, imports it with import:start { upload_id }, then deletes it', async () => {
    const { ready, dataDir } = await serve()
    const auth = { authorization: `Bearer ${ready.token}` }
    const call = async (name: string, body: unknown) =>
      (await (
        await fetch(`${ready.api}/api/${name.replace(':', '/')}`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify(body),
        })
      ).json()) as { ok: boolean; value?: Record<string, unknown>; error?: { code: string } }

    const put = await fetch(`${ready.api}/api/upload?name=${encodeURIComponent('../dc01 logs.ndjson')}`, {
      method: 'PUT',
      body: ndjson(300) + '\n{"broken": \n',
      headers: auth,
    })
    expect(put.status).toBe(200)
    const { value } = (await put.json()) as { value: { upload_id: string } }
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual([`${value.upload_id}--dc01 logs.ndjson`])

    const started = await call('import:start', { upload_id: value.upload_id })
    expect(started).toMatchObject({ ok: true, value: { job_id: expect.any(String) as string } })
    let job: Record<string, unknown> | undefined
    for (let i = 0; i < 100; i++) {
      job = ((await call('import:list', {})).value!.jobs as Array<Record<string, unknown>>)[0]
      if (job?.state !== 'running') break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(job).toMatchObject({
      job_id: started.value!.job_id,
      state: 'done',
      file: 'dc01 logs.ndjson',
      imported: 300,
      rejected: 1,
      summary: { problems: [{ file: 'dc01 logs.ndjson', at: expect.stringContaining('301') as string }] },
    })
    expect(await call('events:list', { limit: 1 })).toMatchObject({ value: { total: 300 } })
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual([])
    expect(await call('import:start', { upload_id: value.upload_id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    expect(await call('import:start', { upload_id: '../../outpost.sqlite' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
  })
})
