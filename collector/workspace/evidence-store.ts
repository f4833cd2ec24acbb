/**
 * Evidence bytes, stored once per content as <data dir>/evidence/<sha256>. A file is written to a
 * temporary name while it is hashed, fsynced, then renamed: the store never holds half a file, and
 * a name always matches its bytes.
 */
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { ContractError } from '../contract'

/** evidence:get hands back at most this much inline; bigger files travel in the package export. */
export const EVIDENCE_GET_MAX_BYTES = 32 * 1024 * 1024

const SHA256 = /^[0-9a-f]{64}$/

const MEDIA_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.evtx': 'application/x-ms-evtx',
  '.pcap': 'application/vnd.tcpdump.pcap',
  '.pcapng': 'application/x-pcapng',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
  '.html': 'text/html',
  '.md': 'text/markdown',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.7z': 'application/x-7z-compressed',
  '.eml': 'message/rfc822',
  '.exe': 'application/vnd.microsoft.portable-executable',
  '.dll': 'application/vnd.microsoft.portable-executable',
}

/** The media type a file name suggests; unknown extensions are plain bytes. */
export const mediaTypeOf = (name: string): string =>
  MEDIA_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream'

export type StoredBytes = { sha256: string; size: number }

export class EvidenceStore {
  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  path(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a SHA-256 digest: ${sha256}`)
    return join(this.dir, sha256)
  }

  /** Refuses what is over the limit, naming both, before anything is written. */
  checkSize(what: string, size: number): void {
    if (size > this.maxBytes)
      throw new ContractError(
        'invalid_request',
        `incidents:attach: ${what} is ${size} bytes, over the evidence limit of ${this.maxBytes} bytes (storage.max_evidence_bytes in config.yaml); attach a smaller file or raise the limit`,
      )
  }

  /** Size of a file on this machine to attach; a missing path or a folder is the caller's error. */
  async sizeOf(path: string, what: string): Promise<number> {
    let info
    try {
      info = await stat(path)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      throw new ContractError(
        'invalid_request',
        code === 'ENOENT'
          ? `incidents:attach: ${what}: no file at ${path}; give a path on the collector's machine`
          : `incidents:attach: ${what}: cannot read ${path} (${code ?? (error as Error).message})`,
      )
    }
    if (!info.isFile())
      throw new ContractError('invalid_request', `incidents:attach: ${what}: ${path} is not a file`)
    return info.size
  }

  /** Streams the bytes in, hashing them; the file appears under its digest only once complete. */
  async put(what: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<StoredBytes> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    const temporary = join(this.dir, `.tmp-${randomUUID()}`)
    const hash = createHash('sha256')
    let size = 0
    const file = await open(temporary, 'wx', 0o600)
    try {
      try {
        for await (const chunk of source) {
          size += chunk.length
          // The file may have grown since it was measured: the limit holds for what is read.
          this.checkSize(what, size)
          hash.update(chunk)
          await file.write(chunk)
        }
        await file.sync()
      } finally {
        await file.close()
      }
      const sha256 = hash.digest('hex')
      await rename(temporary, this.path(sha256))
      await this.syncDir()
      return { sha256, size }
    } catch (error) {
      await rm(temporary, { force: true })
      throw error
    }
  }

  /** Copies a file on this machine in (the original stays where it is). */
  putFile(what: string, path: string): Promise<StoredBytes> {
    return this.put(what, createReadStream(path))
  }

  putBytes(what: string, bytes: Uint8Array): Promise<StoredBytes> {
    return this.put(what, [bytes])
  }

  async read(sha256: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(this.path(sha256)))
  }

  /** The bytes of each digest, once each: what the package export carries. */
  async readAll(digests: readonly string[]): Promise<Map<string, Uint8Array>> {
    const bytes = new Map<string, Uint8Array>()
    for (const sha256 of digests) if (!bytes.has(sha256)) bytes.set(sha256, await this.read(sha256))
    return bytes
  }

  /** After a refused attachment: bytes no row names are removed again. */
  async discard(sha256: string): Promise<void> {
    await rm(this.path(sha256), { force: true })
  }

  private async syncDir(): Promise<void> {
    // The rename is durable once the folder is synced; not every platform lets a folder be opened.
    try {
      const dir = await open(this.dir, 'r')
      try {
        await dir.sync()
      } finally {
        await dir.close()
      }
    } catch {
      // Windows: directories cannot be fsynced; NTFS journals the rename.
    }
  }
}
