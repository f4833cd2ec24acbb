import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { Readable } from 'node:stream'

/**
 * Something to import: a file on disk, a member of an archive, or a decompressed stream. Readers
 * only ever stream from `open()`; `head()` is the first bytes, for format detection.
 */
export type ImportSource = {
  /** As shown to the operator and stored as the event's source: a path, or `archive!member`. */
  name: string
  head: (bytes: number) => Promise<Buffer>
  open: () => Readable
  /** Bytes on disk when known, for progress. */
  size: number | null
}

export const fileSource = (path: string, size: number | null): ImportSource => ({
  name: path,
  size,
  head: async (bytes) => {
    const handle = await open(path, 'r')
    try {
      const buffer = Buffer.alloc(bytes)
      const { bytesRead } = await handle.read(buffer, 0, bytes, 0)
      return buffer.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
  },
  open: () => createReadStream(path, { highWaterMark: 1 << 20 }),
})

export const bufferSource = (name: string, data: Uint8Array): ImportSource => ({
  name,
  size: data.length,
  head: (bytes) => Promise.resolve(Buffer.from(data.subarray(0, bytes))),
  open: () => Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]),
})

/** The first `bytes` of a stream, then the stream is dropped (decompressed members have no random access). */
export const readHead = async (stream: Readable, bytes: number): Promise<Buffer> => {
  const parts: Buffer[] = []
  let length = 0
  try {
    for await (const chunk of stream) {
      parts.push(chunk as Buffer)
      length += (chunk as Buffer).length
      if (length >= bytes) break
    }
  } finally {
    stream.destroy()
  }
  return Buffer.concat(parts).subarray(0, bytes)
}

/** One thing a reader found: a record, a syslog line, or a bad record it skipped. */
export type ReadItem =
  | { kind: 'record'; value: Record<string, unknown>; at: string }
  | { kind: 'line'; text: string; at: string }
  | { kind: 'problem'; at: string; reason: string }
