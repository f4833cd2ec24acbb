import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { locateJsonError } from '../json-error'
import type { ReadItem } from './source'
import { flattenEvtxDump, isEvtxDumpEvent } from './win-event'

/** One JSON value may not exceed this: past it the file is garbage (an unclosed brace), not a record. */
export const MAX_JSON_VALUE_CHARS = 64 * 1024 * 1024

const typeName = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value

const toItem = (text: string, line: number, at: string): ReadItem => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    const where = locateJsonError(text)
    const reason = where
      ? `invalid JSON at line ${line + where.line - 1}, column ${where.column}: ${where.reason}`
      : 'invalid JSON'
    return { kind: 'problem', at, reason }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { kind: 'problem', at, reason: `expected a JSON object, got ${typeName(value)}` }
  const record = value as Record<string, unknown>
  return { kind: 'record', value: isEvtxDumpEvent(record) ? flattenEvtxDump(record) : record, at }
}

/** NDJSON: one object per line, so a broken line costs only itself. */
export async function* readNdjson(stream: Readable): AsyncGenerator<ReadItem> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity })
  let line = 0
  for await (const raw of lines) {
    line++
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw
    if (text.trim().length === 0) continue
    yield toItem(text, line, `line ${line}`)
  }
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff

/**
 * A JSON array of objects, one object, or objects one after another (evtx_dump writes several
 * pretty-printed ones back to back), scanned as a stream: only the value being read is held.
 * Strings are skipped properly, so braces inside them do not count.
 */
export async function* readJsonValues(stream: Readable): AsyncGenerator<ReadItem> {
  stream.setEncoding('utf8')
  let buf = ''
  let pos = 0
  let line = 1
  let start = -1
  let startLine = 0
  let depth = 0
  let inString = false
  let inArray: boolean | null = null
  let skipLine = false
  let item = 0
  for await (const chunk of stream) {
    buf += chunk as string
    for (; pos < buf.length; pos++) {
      const c = buf.charCodeAt(pos)
      if (c === 0x0a) {
        line++
        skipLine = false
      }
      if (start < 0) {
        if (skipLine || isSpace(c)) continue
        if (inArray === null) {
          inArray = c === 0x5b /* [ */
          if (inArray) continue
        }
        if (inArray && (c === 0x2c /* , */ || c === 0x5d) /* ] */) continue
        if (c === 0x7b /* { */ || (inArray && c === 0x5b)) {
          start = pos
          startLine = line
          depth = 1
          continue
        }
        item++
        yield {
          kind: 'problem',
          at: `line ${line}`,
          reason: `expected a JSON object, found ${JSON.stringify(buf[pos])}`,
        }
        skipLine = true // resynchronize on the next line
        continue
      }
      if (inString) {
        if (c === 0x5c /* \ */) pos++
        else if (c === 0x22 /* " */) inString = false
      } else if (c === 0x22) inString = true
      else if (c === 0x7b || c === 0x5b) depth++
      else if (c === 0x7d || c === 0x5d) {
        depth--
        if (depth === 0) {
          item++
          const at = inArray ? `item ${item} (line ${startLine})` : `line ${startLine}`
          yield toItem(buf.slice(start, pos + 1), startLine, at)
          start = -1
        }
      }
    }
    if (start >= 0) {
      buf = buf.slice(start)
      pos -= start
      start = 0
      if (buf.length > MAX_JSON_VALUE_CHARS)
        throw new Error(
          `the JSON value starting at line ${startLine} is larger than ${MAX_JSON_VALUE_CHARS / 1024 / 1024} MiB; is a brace missing?`,
        )
    } else {
      buf = ''
      pos = 0
    }
  }
  if (start >= 0)
    yield {
      kind: 'problem',
      at: `line ${startLine}`,
      reason: 'unterminated JSON value (the file ends inside it)',
    }
}
