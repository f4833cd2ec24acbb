import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Objm } from '@nats-io/obj'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Logger } from '../../host/log'
import { EVIDENCE_BUCKET, SharedEvidence } from './shared-evidence'
import { findNatsServer, startNatsServer, type NatsServerProcess } from './test-nats-server'

const binary = findNatsServer()
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

describe.skipIf(binary === null)('the evidence bucket shared by team core replicas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-shared-evidence-'))
  let server: NatsServerProcess
  let nc: NatsConnection
  const warnings: string[] = []
  const log = { warn: (message: string) => warnings.push(message) } as unknown as Logger

  beforeAll(async () => {
    server = await startNatsServer(binary!, join(dir, 'jetstream'))
    nc = await connect({ servers: server.url })
  }, 20_000)
  afterAll(async () => {
    await nc.close()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('puts the files a replica stored before it connected, and another fetches them, hash checked', async () => {
    const a = join(dir, 'a')
    mkdirSync(a)
    const owed = Buffer.from('stored while the cluster was away\n'.repeat(500))
    writeFileSync(join(a, sha(owed)), owed)
    writeFileSync(join(a, 'not-evidence.tmp'), 'ignored')
    await new SharedEvidence({ dir: a, log }).attach(nc, 1)
    const bucket = await new Objm(nc).open(EVIDENCE_BUCKET)
    expect((await bucket.list()).map((o) => o.name)).toEqual([sha(owed)])

    const b = new SharedEvidence({ dir: join(dir, 'b'), log })
    await b.attach(nc, 1)
    const path = join(dir, 'b', sha(owed))
    expect(await b.fetch(sha(owed), path)).toBe(true)
    expect(readFileSync(path).equals(owed)).toBe(true)

    // An object whose bytes are not what its name says is refused; nothing is left behind.
    const liar = 'f'.repeat(64)
    await bucket.putBlob({ name: liar }, new Uint8Array(Buffer.from('something else')))
    expect(await b.fetch(liar, join(dir, 'b', liar))).toBe(false)
    expect(existsSync(join(dir, 'b', liar))).toBe(false)
    expect(warnings.some((w) => w.includes('could not be fetched'))).toBe(true)
    // Unknown, or not a SHA-256: false, not an error.
    expect(await b.fetch('e'.repeat(64), join(dir, 'b', 'e'.repeat(64)))).toBe(false)
    expect(await b.fetch('../x', join(dir, 'b', 'x'))).toBe(false)
  }, 30_000)

  it('with no connection yet, a stored file waits in the folder and asks for nothing', async () => {
    const c = new SharedEvidence({ dir: join(dir, 'c'), log })
    c.stored('a'.repeat(64))
    await c.settled()
    expect(await c.fetch('a'.repeat(64), join(dir, 'c', 'a'.repeat(64)))).toBe(false)
  })
})
