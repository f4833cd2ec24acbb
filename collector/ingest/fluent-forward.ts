import { gunzipSync } from 'node:zlib'
import { addExtension, Packr, Unpackr } from 'msgpackr'

/**
 * Fluentd Forward Protocol v1 (fluentd, fluent-bit, Docker's fluentd log driver), pure decoding:
 * no sockets here.
 *
 * TCP listener, one ForwardDecoder per connection:
 *   const result = decoder.push(chunk)            // any chunking of the stream
 *   store result.messages; then, for each message with a chunkId, write encodeAck(chunkId)
 *     (only after its events are committed: the ack tells the forwarder it may delete them)
 *   if (!result.ok) log result.error and close the connection (the messages before it are good)
 * and forwardEntryToEvent(tag, entry) for the flat record the normalizer reads.
 *
 * All four modes are read (Message, Forward, PackedForward, CompressedPackedForward with gzip),
 * with times as integers or EventTime. The handshake (HELO/PING/PONG, shared_key) is not: a PING
 * gets a clear error. Memory is bounded: maxBufferedBytes for an incomplete message,
 * maxDecompressedBytes for a gzip entries blob (a bomb is refused, never expanded).
 */

export type ForwardEntry = { /** epoch milliseconds */ time: number; record: Record<string, unknown> }
export type ForwardMessage = { tag: string; entries: ForwardEntry[]; chunkId: string | null }
export type ForwardPushResult =
  { ok: true; messages: ForwardMessage[] } | { ok: false; messages: ForwardMessage[]; error: string }

export type ForwardDecoderOptions = {
  /** Most bytes held for a message that has not fully arrived. */
  maxBufferedBytes: number
  /** Most bytes a CompressedPackedForward entries blob may inflate to. */
  maxDecompressedBytes: number
}

export const DEFAULT_FORWARD_DECODER_OPTIONS: ForwardDecoderOptions = {
  maxBufferedBytes: 16 * 1024 * 1024,
  maxDecompressedBytes: 64 * 1024 * 1024,
}

/** Fluent's EventTime: msgpack ext type 0, 8 bytes, big-endian uint32 seconds and nanoseconds. */
export class EventTime {
  constructor(
    readonly seconds: number,
    readonly nanoseconds: number,
  ) {}

  /** Epoch milliseconds; nanoseconds are truncated. */
  toMillis(): number {
    return this.seconds * 1000 + Math.floor(this.nanoseconds / 1e6)
  }

  /** The msgpack encoding (fixext 8, type 0), for senders and tests. */
  encode(): Buffer {
    const buf = Buffer.alloc(10)
    buf[0] = 0xd7
    buf[1] = 0x00
    buf.writeUInt32BE(this.seconds, 2)
    buf.writeUInt32BE(this.nanoseconds, 6)
    return buf
  }
}

// msgpackr keeps extensions in one process-wide table. By default it reads ext type 0 as
// `undefined` (notepack's convention, fixext 1 with type 0); that is kept for every length but
// 8, which is Fluent's EventTime.
addExtension({
  type: 0,
  unpack: (data: Buffer | Uint8Array): EventTime | undefined => {
    if (data.length !== 8) return undefined
    const view = new DataView(data.buffer, data.byteOffset, 8)
    return new EventTime(view.getUint32(0), view.getUint32(4))
  },
})

// Plain msgpack maps to objects, no msgpackr record extension; int64 stays exact (bigint).
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true })
// variableMapSize: a fixmap, as fluentd itself writes the ack, rather than msgpackr's default map16.
const packr = new Packr({ useRecords: false, variableMapSize: true })

/** The answer to a message whose option carried `chunk`: `{ ack: chunkId }`. */
export const encodeAck = (chunkId: string): Buffer => packr.pack({ ack: chunkId })

class ForwardError extends Error {}
const fail = (message: string): never => {
  throw new ForwardError(`fluent forward: ${message}`)
}

const typeName = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : value instanceof Uint8Array
        ? 'binary'
        : value instanceof EventTime
          ? 'EventTime'
          : typeof value

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype

const MAX_DATE_MS = 8.64e15

/** Integer seconds, a float (some loggers send one), or EventTime -> epoch milliseconds. */
const toMillis = (time: unknown): number => {
  let ms: number | null = null
  if (time instanceof EventTime) ms = time.toMillis()
  else if (typeof time === 'bigint') ms = Number(time) * 1000
  else if (typeof time === 'number' && Number.isFinite(time))
    ms = Number.isInteger(time) ? time * 1000 : Math.round(time * 1000)
  if (ms === null) return fail(`time must be an integer or EventTime, got ${typeName(time)}`)
  if (Math.abs(ms) > MAX_DATE_MS) return fail(`time ${String(time)} is out of range`)
  return ms
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
const MAX_DEPTH = 100

/**
 * Record values -> what JSON can hold, since records are stored as JSON: bin becomes text (base64
 * when it is not UTF-8), large int64 a decimal string, EventTime and msgpack timestamps ISO
 * strings, undefined null. Strings, numbers, booleans and nesting are kept as sent.
 */
const toJsonSafe = (value: unknown, depth: number): unknown => {
  if (depth > MAX_DEPTH) return fail(`record nested deeper than ${MAX_DEPTH} levels`)
  if (value === undefined) return null
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint')
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
    return value
  }
  if (Array.isArray(value)) return value.map((item) => toJsonSafe(item, depth + 1))
  if (value instanceof Uint8Array) {
    try {
      return utf8.decode(value)
    } catch {
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
    }
  }
  if (value instanceof EventTime) return new Date(value.toMillis()).toISOString()
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = toJsonSafe(item, depth + 1)
    return out
  }
  if (value instanceof Map) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of value) out[String(key)] = toJsonSafe(item, depth + 1)
    return out
  }
  if (value instanceof Set) return [...value].map((item) => toJsonSafe(item, depth + 1))
  // msgpackr's own extensions, which Fluent senders do not use: keep something readable.
  if (value instanceof Error || value instanceof RegExp) return value.toString()
  if (ArrayBuffer.isView(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
  return null
}

const toEntry = (time: unknown, record: unknown): ForwardEntry => {
  if (!isPlainObject(record)) return fail(`record must be a map, got ${typeName(record)}`)
  return { time: toMillis(time), record: toJsonSafe(record, 0) as Record<string, unknown> }
}

const readOption = (option: unknown): { chunkId: string | null; compressed: string | null } => {
  if (option === undefined || option === null) return { chunkId: null, compressed: null }
  if (!isPlainObject(option)) return fail(`option must be a map, got ${typeName(option)}`)
  const { chunk, compressed } = option
  if (chunk !== undefined && chunk !== null && typeof chunk !== 'string')
    return fail(`option.chunk must be a string, got ${typeName(chunk)}`)
  if (compressed !== undefined && compressed !== null && typeof compressed !== 'string')
    return fail(`option.compressed must be a string, got ${typeName(compressed)}`)
  return { chunkId: chunk ?? null, compressed: compressed ?? null }
}

/** Reads a msgpack str header at `at`: [header length, payload length], or null. */
const strHeader = (raw: Buffer, at: number): [number, number] | null => {
  const b = raw[at]
  if (b === undefined) return null
  if (b >= 0xa0 && b <= 0xbf) return [1, b & 0x1f]
  if (b === 0xd9 && at + 2 <= raw.length) return [2, raw.readUInt8(at + 1)]
  if (b === 0xda && at + 3 <= raw.length) return [3, raw.readUInt16BE(at + 1)]
  if (b === 0xdb && at + 5 <= raw.length) return [5, raw.readUInt32BE(at + 1)]
  return null
}

/**
 * PackedForward entries sent as msgpack str rather than bin (old msgpack "raw"): msgpackr has
 * already decoded them as UTF-8, which is lossy for binary, so take the bytes from the raw value.
 */
const rawPackedStr = (raw: Buffer): Buffer => {
  const b = raw[0] ?? 0
  let at = b >= 0x90 && b <= 0x9f ? 1 : b === 0xdc ? 3 : b === 0xdd ? 5 : -1
  const tag = at < 0 ? null : strHeader(raw, at)
  if (!tag) return fail('cannot locate the packed entries')
  at += tag[0] + tag[1]
  const entries = strHeader(raw, at)
  if (!entries || at + entries[0] + entries[1] > raw.length) return fail('cannot locate the packed entries')
  return raw.subarray(at + entries[0], at + entries[0] + entries[1])
}

/** One decoded top-level value (and its raw bytes) -> a message, or a ForwardError. */
const interpret = (value: unknown, raw: Buffer, options: ForwardDecoderOptions): ForwardMessage => {
  if (!Array.isArray(value)) return fail(`expected an array [tag, ...], got ${typeName(value)}`)
  const items = value as unknown[]
  const [tag, second, third, fourth] = items
  if ((tag === 'PING' && items.length === 6) || (tag === 'HELO' && items.length === 2))
    return fail(
      `handshake (${tag}) is not supported: remove shared_key authentication (<security>) from the forwarder`,
    )
  if (typeof tag !== 'string') return fail(`tag must be a string, got ${typeName(tag)}`)

  if (typeof second === 'number' || typeof second === 'bigint' || second instanceof EventTime) {
    // Message mode: [tag, time, record, option?]
    if (items.length > 4) return fail(`message mode takes 3 or 4 items, got ${items.length}`)
    const { chunkId } = readOption(fourth)
    return { tag, entries: [toEntry(second, third)], chunkId }
  }
  if (items.length > 3) return fail(`forward modes take 2 or 3 items, got ${items.length}`)
  const { chunkId, compressed } = readOption(third)

  if (Array.isArray(second)) {
    // Forward mode: [tag, [[time, record], ...], option?]
    const entries = (second as unknown[]).map((entry, index) => {
      if (!Array.isArray(entry) || entry.length !== 2)
        return fail(`entry ${index + 1}: expected [time, record], got ${typeName(entry)}`)
      return toEntry(entry[0], entry[1])
    })
    return { tag, entries, chunkId }
  }

  if (second instanceof Uint8Array || typeof second === 'string') {
    // (Compressed)PackedForward: [tag, bin of concatenated [time, record] values, option?]
    let blob =
      second instanceof Uint8Array
        ? Buffer.from(second.buffer, second.byteOffset, second.byteLength)
        : rawPackedStr(raw)
    if (compressed === 'gzip') {
      try {
        // maxOutputLength stops inflation at the cap: a bomb is refused, not expanded.
        blob = gunzipSync(blob, { maxOutputLength: Math.max(1, options.maxDecompressedBytes) })
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
          return fail(`entries larger than ${options.maxDecompressedBytes} bytes after decompression`)
        return fail(`bad gzip entries: ${(error as Error).message}`)
      }
    } else if (compressed !== null && compressed !== 'text') {
      return fail(`unsupported compression ${JSON.stringify(compressed)} (gzip only)`)
    }
    let values: unknown[]
    try {
      values = blob.length === 0 ? [] : unpackr.unpackMultiple(blob)
    } catch (error) {
      return fail(`bad packed entries: ${(error as Error).message}`)
    }
    const entries = values.map((entry, index) => {
      if (!Array.isArray(entry) || entry.length !== 2)
        return fail(`packed entry ${index + 1}: expected [time, record], got ${typeName(entry)}`)
      return toEntry(entry[0], entry[1])
    })
    return { tag, entries, chunkId }
  }

  return fail(`second item must be a time, an entries array or packed entries, got ${typeName(second)}`)
}

/**
 * Decodes one connection's stream of msgpack values, however TCP splits it. After an error the
 * stream cannot be resynchronized (msgpack has no delimiters): every later push repeats it.
 */
export class ForwardDecoder {
  private readonly options: ForwardDecoderOptions
  private chunks: Buffer[] = []
  private buffered = 0
  // msgpackr says how many bytes an incomplete value needs at least; until then, do not re-parse.
  private needed = 0
  private failure: string | null = null

  constructor(options: Partial<ForwardDecoderOptions> = {}) {
    this.options = { ...DEFAULT_FORWARD_DECODER_OPTIONS, ...options }
  }

  /** Bytes of an incomplete message held now. */
  get bufferedBytes(): number {
    return this.buffered
  }

  push(chunk: Buffer): ForwardPushResult {
    if (this.failure !== null) return { ok: false, messages: [], error: this.failure }
    if (chunk.length === 0) return { ok: true, messages: [] }
    this.chunks.push(chunk)
    this.buffered += chunk.length
    if (this.buffered < this.needed) return this.checkBound([])

    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered)
    const values: { value: unknown; start: number; end: number }[] = []
    let incomplete: { missingBytes?: number } | null = null
    let broken: string | null = null
    try {
      unpackr.unpackMultiple(data, (value: unknown, start?: number, end?: number) => {
        values.push({ value, start: start ?? 0, end: end ?? data.length })
      })
    } catch (error) {
      const e = error as Error & { incomplete?: boolean; missingBytes?: number }
      if (e.incomplete) incomplete = e
      else broken = `fluent forward: malformed msgpack: ${e.message}`
    }
    // Interpreted only now: a nested unpack inside msgpackr's callback would clobber its state.
    const messages: ForwardMessage[] = []
    for (const { value, start, end } of values) {
      try {
        messages.push(interpret(value, data.subarray(start, end), this.options))
      } catch (error) {
        if (!(error instanceof ForwardError)) throw error
        return this.stop(messages, error.message)
      }
    }
    if (broken !== null) return this.stop(messages, broken)

    const consumed = values.at(-1)?.end ?? 0
    const rest = data.subarray(consumed)
    // Copy the tail so a small remainder does not keep a large read buffer alive.
    this.chunks = rest.length === 0 ? [] : [consumed === 0 ? rest : Buffer.from(rest)]
    this.buffered = rest.length
    const missing = incomplete?.missingBytes
    this.needed = incomplete && missing ? rest.length + missing : 0
    return this.checkBound(messages)
  }

  private checkBound(messages: ForwardMessage[]): ForwardPushResult {
    const limit = this.options.maxBufferedBytes
    if (this.buffered > limit || this.needed > limit)
      return this.stop(
        messages,
        `fluent forward: message larger than ${limit} bytes (${Math.max(this.buffered, this.needed)} needed)`,
      )
    return { ok: true, messages }
  }

  private stop(messages: ForwardMessage[], error: string): ForwardPushResult {
    this.failure = error
    this.chunks = []
    this.buffered = 0
    return { ok: false, messages, error }
  }
}

/**
 * One entry -> the record the normalizer reads: the original fields as sent, plus `@timestamp`
 * (ISO, milliseconds), `fluent.tag`, and `message` from `log` (Docker and tail inputs) when the
 * record has no message. A field the record already has is never overwritten.
 */
export const forwardEntryToEvent = (tag: string, entry: ForwardEntry): Record<string, unknown> => {
  const hints: Record<string, unknown> = {
    '@timestamp': new Date(entry.time).toISOString(),
    'fluent.tag': tag,
  }
  if (typeof entry.record.log === 'string') hints.message = entry.record.log
  return { ...hints, ...entry.record }
}
