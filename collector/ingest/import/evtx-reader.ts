import { BinaryReader, ChunkHeader, Record as EvtxRecord } from '@ts-evtx/core'
import { ActualTemplateNode } from '@ts-evtx/core/dist/src/evtx/ActualTemplateNode.js'
import type { Readable } from 'node:stream'
import type { ReadItem } from './source'
import { flattenEventXml } from './win-event'

const FILE_HEADER_BYTES = 0x1000
const CHUNK_BYTES = 0x10000
const CHUNK_RECORDS_START = 0x200
const RECORD_MAGIC = 0x00002a2a

/**
 * @ts-evtx/core's renderer indents every line of nested content, newlines inside values
 * included, so a multi-line value (a scheduled task's XML, a script block) came back with
 * spaces it never had; and it silently dropped C1 control characters. Escaping every control
 * character as a character reference keeps values exact through its pretty-printing.
 */
let rendererPatched = false
const patchRenderer = (): void => {
  if (rendererPatched) return
  rendererPatched = true
  const proto = ActualTemplateNode.prototype as unknown as {
    escapeXml: (text: string | null | undefined) => string
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
  const special = /[&<>"'\u0000-\u001f\u007f-\u009f]/g
  proto.escapeXml = (text) =>
    text === null || text === undefined
      ? ''
      : String(text).replace(special, (c) => `&#x${c.charCodeAt(0).toString(16)};`)
}

/** Rendered XML (not the library's high-level fields: its `eventId` read 0 for a Sysmon EventID 1). */
const recordItem = (record: EvtxRecord, chunkIndex: number, offset: number): ReadItem => {
  let number = `chunk ${chunkIndex}, offset ${offset}`
  try {
    number = `record ${record.recordNum()}`
    return { kind: 'record', value: flattenEventXml(record.renderXml()), at: number }
  } catch (error) {
    return { kind: 'problem', at: number, reason: `corrupt record: ${(error as Error).message}` }
  }
}

/** Records of one 64 KiB chunk; after a corrupt record header, resynchronize on the next magic. */
function* chunkItems(data: Buffer, chunkIndex: number): Generator<ReadItem> {
  const chunk = new ChunkHeader(new BinaryReader(data), 0)
  if (data.readUInt32LE(0) === 0 && data.readUInt32LE(4) === 0) return // never-used chunk
  if (!chunk.checkMagic()) {
    yield { kind: 'problem', at: `chunk ${chunkIndex}`, reason: 'not an EVTX chunk (bad magic); skipped' }
    return
  }
  const end = Math.min(chunk.nextRecordOffset(), data.length)
  let offset = CHUNK_RECORDS_START
  while (offset + 0x18 <= end) {
    const size = data.readUInt32LE(offset + 4)
    const valid =
      data.readUInt32LE(offset) === RECORD_MAGIC &&
      size >= 0x18 &&
      offset + size <= data.length &&
      data.readUInt32LE(offset + size - 4) === size
    if (valid) {
      yield recordItem(new EvtxRecord(new BinaryReader(data), offset, chunk), chunkIndex, offset)
      offset += size
      continue
    }
    yield {
      kind: 'problem',
      at: `chunk ${chunkIndex}, offset ${offset}`,
      reason: 'corrupt record header; skipped to the next record',
    }
    offset += 8
    while (offset + 0x18 <= end && data.readUInt32LE(offset) !== RECORD_MAGIC) offset += 8
  }
}

/**
 * An EVTX file as a stream, one 64 KiB chunk at a time: each chunk carries its own strings and
 * templates, so no more than a chunk is ever held (the library's own `EvtxFile` reads the
 * whole file, and refuses files over 100 MB).
 */
export async function* readEvtx(stream: Readable): AsyncGenerator<ReadItem> {
  patchRenderer()
  let pending: Buffer = Buffer.alloc(0)
  let headerSeen = false
  let chunkIndex = 0
  for await (const piece of stream) {
    pending = pending.length === 0 ? (piece as Buffer) : Buffer.concat([pending, piece as Buffer])
    if (!headerSeen) {
      if (pending.length < FILE_HEADER_BYTES) continue
      if (pending.subarray(0, 8).toString('latin1') !== 'ElfFile\0')
        throw new Error('not an EVTX file (no ElfFile header)')
      headerSeen = true
      pending = pending.subarray(FILE_HEADER_BYTES)
    }
    while (pending.length >= CHUNK_BYTES) {
      yield* chunkItems(Buffer.from(pending.subarray(0, CHUNK_BYTES)), chunkIndex++)
      pending = pending.subarray(CHUNK_BYTES)
    }
  }
  if (!headerSeen) throw new Error('not an EVTX file (shorter than its 4 KiB header)')
  if (pending.length > 0)
    yield {
      kind: 'problem',
      at: `chunk ${chunkIndex}`,
      reason: `truncated chunk (${pending.length} of ${CHUNK_BYTES} bytes); skipped`,
    }
}
