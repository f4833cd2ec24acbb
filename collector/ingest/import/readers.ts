import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { unzipSync } from 'fflate'
import { readEvtx } from './evtx-reader'
import { detectFormat, type DetectedFormat, type ImportFormat } from './detect'
import { readJsonValues, readNdjson } from './json-reader'
import { bufferSource, readHead, type ImportSource, type ReadItem } from './source'
import { readCsv, readSyslogLines } from './text-readers'

const HEAD_BYTES = 64 * 1024

/**
 * fflate's `unzipSync` holds the archive and its members in memory, so zips are bounded; a
 * bigger export is better gzipped (streamed) or unpacked first.
 */
export const MAX_ZIP_BYTES = 512 * 1024 * 1024

/** A unit of work: one file, or one member of an archive, with its format settled. */
export type ImportPart = { source: ImportSource; format: Exclude<DetectedFormat, 'zip' | 'gzip'> }

/** `{` may be NDJSON or one pretty-printed object; a first line that is a whole object says NDJSON. */
const jsonFlavour = (head: Buffer): 'ndjson' | 'json' => {
  const text = head.toString('utf8').replace(/^\uFEFF/, '')
  if (text.trimStart().startsWith('[')) return 'json'
  const newline = text.indexOf('\n')
  if (newline < 0) return 'json'
  try {
    const first: unknown = JSON.parse(text.slice(0, newline))
    return typeof first === 'object' && first !== null ? 'ndjson' : 'json'
  } catch {
    return 'json'
  }
}

/** The decompressed stream keeps the file's name: events say which file they came from. */
const gunzipSource = (outer: ImportSource): ImportSource => {
  const open = (): Readable => outer.open().pipe(createGunzip())
  return { name: outer.name, size: outer.size, open, head: (bytes) => readHead(open(), bytes) }
}

/**
 * Splits a source into parts: archives are opened (members dispatched by their own content and
 * extension, nested archives too), and `auto` is resolved by magic bytes, then by name.
 */
export async function* expandSource(
  source: ImportSource,
  format: ImportFormat,
  nameForDetection = source.name,
): AsyncGenerator<ImportPart> {
  const head = await source.head(HEAD_BYTES)
  const detected = detectFormat(head, nameForDetection)
  if (detected === 'gzip') {
    const inner = gunzipSource(source)
    yield* expandSource(inner, format, nameForDetection.replace(/\.t?gz$/i, ''))
    return
  }
  if (detected === 'zip') {
    if (source.size !== null && source.size > MAX_ZIP_BYTES)
      throw new Error(`zip archives are read into memory and this one is over ${MAX_ZIP_BYTES >> 20} MiB`)
    const parts: Buffer[] = []
    for await (const piece of source.open()) parts.push(piece as Buffer)
    const members = unzipSync(Buffer.concat(parts))
    for (const [name, data] of Object.entries(members)) {
      if (name.endsWith('/') || data.length === 0) continue
      yield* expandSource(bufferSource(`${source.name}!${name}`, data), format, name)
    }
    return
  }
  if (format !== 'auto') {
    yield { source, format }
    return
  }
  yield { source, format: detected === 'json' ? jsonFlavour(head) : detected }
}

export const readPart = (part: ImportPart): AsyncGenerator<ReadItem> => {
  const stream = part.source.open()
  switch (part.format) {
    case 'ndjson':
      return readNdjson(stream)
    case 'json':
      return readJsonValues(stream)
    case 'evtx':
      return readEvtx(stream)
    case 'csv':
      return readCsv(stream)
    case 'syslog':
      return readSyslogLines(stream)
  }
}
