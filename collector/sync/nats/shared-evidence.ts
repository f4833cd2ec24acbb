import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { StorageType } from '@nats-io/jetstream'
import { Objm, type ObjectStore } from '@nats-io/obj'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Logger } from '../../host/log'

/** The JetStream object store bucket that holds the evidence files consoles pushed to any replica. */
export const EVIDENCE_BUCKET = 'outpost-evidence'
const SHA256 = /^[0-9a-f]{64}$/

/**
 * Evidence files shared by the replicas of a team core: a file a console pushed to one replica
 * (kept in its sync evidence folder, as on a lone core) is put into the bucket, named by its
 * SHA-256; a replica asked for a file it lacks gets it from there, checks the hash and keeps it.
 * The local folder is what is owed to the bucket: each time the replica (re)connects it puts the
 * files the bucket lacks, so a file stored while NATS was down, or before a crash, still goes.
 */
export class SharedEvidence {
  private bucket: ObjectStore | undefined
  private putting: Promise<void> = Promise.resolve()

  constructor(private readonly options: { dir: string; log: Logger }) {}

  /** Opens (or makes) the bucket on this connection and puts every local file it lacks. */
  async attach(nc: NatsConnection, replicas: number): Promise<void> {
    this.bucket = await new Objm(nc).create(EVIDENCE_BUCKET, {
      storage: StorageType.File,
      replicas,
      description: 'Outpost: evidence files consoles pushed to the team core',
    })
    // Again after each reconnection: what failed while the cluster was away goes then.
    void (async () => {
      for await (const status of nc.status()) if (status.type === 'reconnect') await this.putOwed()
    })().catch(() => undefined)
    await this.putOwed()
  }

  private async putOwed(): Promise<void> {
    const names = await readdir(this.options.dir).catch(() => [] as string[])
    for (const name of names) if (SHA256.test(name)) this.stored(name)
    await this.putting
  }

  detach(): void {
    this.bucket = undefined
  }

  /** A file just stored in the local folder: into the bucket, in the background, one at a time. */
  stored(sha256: string): void {
    this.putting = this.putting.then(() => this.put(sha256))
  }

  /** Resolves once the files handed to `stored` so far are in the bucket (or failed, logged). */
  settled(): Promise<void> {
    return this.putting
  }

  private async put(sha256: string): Promise<void> {
    const bucket = this.bucket
    if (!bucket) return // put when the replica connects (attach)
    try {
      if (await bucket.info(sha256)) return
      // Node's web streams and the DOM's (the electron config's lib) are the same at run time.
      const data = Readable.toWeb(createReadStream(join(this.options.dir, sha256))) as unknown as Parameters<
        ObjectStore['put']
      >[1]
      await bucket.put({ name: sha256 }, data)
    } catch (error) {
      // Kept in the local folder: put again at the next connection.
      this.options.log.warn('nats: evidence not put in the shared bucket yet', {
        sha256,
        error: (error as Error).message,
      })
    }
  }

  /**
   * A file this replica lacks, from the bucket into `path` (temp file, hash checked, rename).
   * False when the bucket is out of reach or has no such file.
   */
  async fetch(sha256: string, path: string): Promise<boolean> {
    const bucket = this.bucket
    if (!bucket || !SHA256.test(sha256)) return false
    const result = await bucket.get(sha256).catch(() => null)
    if (!result) return false
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 })
    const temporary = `${path}.${process.pid}.fetch`
    const hash = createHash('sha256')
    const meter = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        hash.update(chunk)
        callback(null, chunk)
      },
    })
    try {
      await pipeline(
        Readable.fromWeb(result.data as unknown as Parameters<typeof Readable.fromWeb>[0]),
        meter,
        createWriteStream(temporary, { mode: 0o600 }),
      )
      const error = await result.error
      if (error) throw error
      const actual = hash.digest('hex')
      if (actual !== sha256) throw new Error(`the bucket's bytes hash to ${actual}`)
      await rename(temporary, path)
      return true
    } catch (error) {
      this.options.log.warn('nats: evidence could not be fetched from the shared bucket', {
        sha256,
        error: (error as Error).message,
      })
      return false
    } finally {
      await rm(temporary, { force: true })
    }
  }
}
