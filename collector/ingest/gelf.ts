import { SYSLOG_SEVERITIES } from './syslog-names'
import { gunzipSync, inflateSync } from 'node:zlib'
import { locateJsonError } from './json-error'
import { parseTime } from './normalize'

/**
 * GELF 1.1 (Graylog Extended Log Format), pure decoding: no sockets here.
 *
 * UDP listener, per datagram:
 *   const message = assembler.push(datagram, Date.now())   // null until every chunk is in
 *   if (message) decodeGelfPayload(message, { maxBytes })    // gzip, zlib or plain JSON
 *   and every second or so: assembler.expire(Date.now())
 * TCP listener, per connection: one GelfTcpFramer; for each chunk read, framer.push(chunk) gives
 *   the NUL-delimited frames (plain JSON) to decodeGelfPayload, and errors for oversized frames
 *   (the framer skips to the next NUL, so the connection can stay open).
 * Then gelfToEvent(value) gives the flat record the normalizer reads.
 *
 * Nothing here throws on bad input: results and counters say what went wrong.
 */

export type GelfMessage = Record<string, unknown>
export type GelfResult = { ok: true; value: GelfMessage } | { ok: false; error: string }

// ---------------------------------------------------------------------------------------------
// UDP chunking

const CHUNK_MAGIC_0 = 0x1e
const CHUNK_MAGIC_1 = 0x0f
const CHUNK_HEADER_BYTES = 12 // magic (2), message id (8), sequence number (1), sequence count (1)
/** The GELF spec's limit: a sender must not split a message into more chunks than this. */
export const GELF_MAX_CHUNKS = 128

export const isGelfChunk = (datagram: Buffer): boolean =>
  datagram.length >= 2 && datagram[0] === CHUNK_MAGIC_0 && datagram[1] === CHUNK_MAGIC_1

export type GelfAssemblerOptions = {
  /** Incomplete messages older than this are dropped (Graylog uses 5 s). */
  timeoutMs: number
  /** Messages being assembled at once; beyond it the oldest is dropped. */
  maxMessages: number
  /** Chunk payload bytes held across all incomplete messages; beyond it the oldest are dropped. */
  maxBufferedBytes: number
}

export const DEFAULT_GELF_ASSEMBLER_OPTIONS: GelfAssemblerOptions = {
  timeoutMs: 5000,
  maxMessages: 1000,
  maxBufferedBytes: 32 * 1024 * 1024,
}

/** Why messages or chunks were dropped, for the listener's stats. */
export type GelfAssemblerCounters = {
  /** Incomplete messages dropped after timeoutMs. */
  expired: number
  /** Incomplete messages dropped to stay within maxMessages or maxBufferedBytes. */
  evicted: number
  /** Chunks received twice (the first copy is kept). */
  duplicates: number
  /** Messages dropped because their chunks disagreed on the sequence count. */
  inconsistent: number
  /** Chunks with a bad header (too short, count 0 or over 128, number not below count). */
  malformed: number
}

type Pending = {
  count: number
  parts: (Buffer | undefined)[]
  received: number
  bytes: number
  firstAt: number
}

/**
 * Reassembles chunked GELF datagrams. A datagram without the chunk magic is a whole message and is
 * returned as is. Memory is bounded by maxMessages and maxBufferedBytes whatever senders do.
 */
export class GelfChunkAssembler {
  readonly counters: GelfAssemblerCounters = {
    expired: 0,
    evicted: 0,
    duplicates: 0,
    inconsistent: 0,
    malformed: 0,
  }
  private readonly options: GelfAssemblerOptions
  // Map keeps insertion order: the first entry is always the oldest message.
  private readonly pending = new Map<string, Pending>()
  private bufferedBytes = 0
  // Ids completed within timeoutMs: a late duplicate chunk must not start (or finish) the message again.
  private readonly completed = new Map<string, number>()

  constructor(options: Partial<GelfAssemblerOptions> = {}) {
    this.options = { ...DEFAULT_GELF_ASSEMBLER_OPTIONS, ...options }
  }

  /** Messages currently incomplete, and the chunk bytes they hold. */
  get inFlight(): { messages: number; bytes: number } {
    return { messages: this.pending.size, bytes: this.bufferedBytes }
  }

  /** Returns the whole message (possibly still compressed) once its last chunk arrives, else null. */
  push(datagram: Buffer, now: number): Buffer | null {
    if (!isGelfChunk(datagram)) return datagram
    if (datagram.length < CHUNK_HEADER_BYTES) {
      this.counters.malformed++
      return null
    }
    const id = datagram.toString('hex', 2, 10)
    const number = datagram[10]!
    const count = datagram[11]!
    if (count === 0 || count > GELF_MAX_CHUNKS || number >= count) {
      this.counters.malformed++
      return null
    }
    const payload = datagram.subarray(CHUNK_HEADER_BYTES)
    if (count === 1) return Buffer.from(payload)

    const completedAt = this.completed.get(id)
    if (completedAt !== undefined) {
      if (now - completedAt <= this.options.timeoutMs) {
        this.counters.duplicates++
        return null
      }
      this.completed.delete(id)
    }
    let entry = this.pending.get(id)
    if (entry && now - entry.firstAt > this.options.timeoutMs) {
      this.drop(id, entry)
      this.counters.expired++
      entry = undefined
    }
    if (entry && entry.count !== count) {
      this.drop(id, entry)
      this.counters.inconsistent++
      return null
    }
    if (entry?.parts[number]) {
      this.counters.duplicates++
      return null
    }
    if (payload.length > this.options.maxBufferedBytes) {
      if (entry) this.drop(id, entry)
      this.counters.evicted++
      return null
    }
    if (!entry) {
      entry = { count, parts: new Array<Buffer | undefined>(count), received: 0, bytes: 0, firstAt: now }
      this.pending.set(id, entry)
    }
    // Copy: a chunk's payload must not pin the whole datagram buffer it arrived in.
    entry.parts[number] = Buffer.from(payload)
    entry.received++
    entry.bytes += payload.length
    this.bufferedBytes += payload.length

    if (entry.received === entry.count) {
      this.drop(id, entry)
      this.completed.set(id, now)
      // Bounded like the pending messages; the oldest are forgotten first.
      for (const old of this.completed.keys()) {
        if (this.completed.size <= this.options.maxMessages) break
        this.completed.delete(old)
      }
      return Buffer.concat(entry.parts as Buffer[])
    }
    this.enforceBounds()
    return null
  }

  /** Drops messages still incomplete after timeoutMs; returns how many. */
  expire(now: number): number {
    let dropped = 0
    for (const [id, entry] of this.pending) {
      if (now - entry.firstAt <= this.options.timeoutMs) continue
      this.drop(id, entry)
      dropped++
    }
    this.counters.expired += dropped
    for (const [id, at] of this.completed) if (now - at > this.options.timeoutMs) this.completed.delete(id)
    return dropped
  }

  private enforceBounds(): void {
    // Oldest first, which may be the message that just grew: it has had the most time to finish.
    for (const [id, entry] of this.pending) {
      if (
        this.pending.size <= this.options.maxMessages &&
        this.bufferedBytes <= this.options.maxBufferedBytes
      )
        return
      this.drop(id, entry)
      this.counters.evicted++
    }
  }

  private drop(id: string, entry: Pending): void {
    this.pending.delete(id)
    this.bufferedBytes -= entry.bytes
  }
}

// ---------------------------------------------------------------------------------------------
// TCP framing

export type NulFrames = { frames: Buffer[]; rest: Buffer; oversized: number }

/**
 * Splits NUL-terminated frames off the front of what a TCP connection has buffered. Complete
 * frames over maxFrameBytes are dropped and counted; empty frames (\0\0) are skipped. `rest` is
 * the unterminated tail to keep for the next read.
 */
export const splitNulFrames = (buffered: Buffer, maxFrameBytes: number): NulFrames => {
  const frames: Buffer[] = []
  let oversized = 0
  let start = 0
  for (;;) {
    const end = buffered.indexOf(0, start)
    if (end < 0) break
    const length = end - start
    if (length > maxFrameBytes) oversized++
    else if (length > 0) frames.push(buffered.subarray(start, end))
    start = end + 1
  }
  return { frames, rest: buffered.subarray(start), oversized }
}

/**
 * Per-connection TCP framing with bounded memory: a frame growing past maxFrameBytes before its
 * NUL arrives is discarded as it streams in, and reading resumes after that NUL.
 */
export class GelfTcpFramer {
  private rest: Buffer = Buffer.alloc(0)
  private discarding = false

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Buffer): { frames: Buffer[]; errors: string[] } {
    const errors: string[] = []
    let data = chunk
    if (this.discarding) {
      const nul = data.indexOf(0)
      if (nul < 0) return { frames: [], errors }
      this.discarding = false
      data = data.subarray(nul + 1)
    }
    const buffered = this.rest.length > 0 ? Buffer.concat([this.rest, data]) : data
    const split = splitNulFrames(buffered, this.maxFrameBytes)
    for (let i = 0; i < split.oversized; i++) errors.push(this.tooLarge())
    if (split.rest.length > this.maxFrameBytes) {
      errors.push(this.tooLarge())
      this.discarding = true
      this.rest = Buffer.alloc(0)
    } else {
      // Copy so a small tail does not keep a large read buffer alive.
      this.rest = Buffer.from(split.rest)
    }
    // Frames may be views of `chunk`: hand out copies the caller can keep.
    return { frames: split.frames.map((frame) => Buffer.from(frame)), errors }
  }

  /** Bytes of an unterminated frame held now (the connection closing mid-frame loses them). */
  get pendingBytes(): number {
    return this.rest.length
  }

  private tooLarge(): string {
    return `gelf: frame larger than ${this.maxFrameBytes} bytes, skipped to the next NUL`
  }
}

// ---------------------------------------------------------------------------------------------
// Payload decoding and validation

const isGzip = (buf: Buffer): boolean => buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b
// A zlib header: deflate method (low nibble 8) and a check value making the first two bytes a
// multiple of 31. Plain JSON never starts with 0x78 ('x').
const isZlib = (buf: Buffer): boolean =>
  buf.length >= 2 && (buf[0]! & 0x0f) === 8 && ((buf[0]! << 8) | buf[1]!) % 31 === 0

const inflate = (
  buf: Buffer,
  maxBytes: number,
): { ok: true; value: Buffer } | { ok: false; error: string } => {
  const gzip = isGzip(buf)
  try {
    // maxOutputLength stops inflation at the cap, so a bomb is refused without being expanded.
    const options = { maxOutputLength: Math.max(1, maxBytes) }
    return { ok: true, value: gzip ? gunzipSync(buf, options) : inflateSync(buf, options) }
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      return { ok: false, error: `gelf: message larger than ${maxBytes} bytes after decompression` }
    return { ok: false, error: `gelf: bad ${gzip ? 'gzip' : 'zlib'} data: ${(error as Error).message}` }
  }
}

const typeName = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value

// Fields GELF 1.1 defines; facility, line and file are deprecated but still sent by older libraries.
const STANDARD_FIELDS = new Set([
  'version',
  'host',
  'short_message',
  'full_message',
  'timestamp',
  'level',
  'facility',
  'line',
  'file',
])
const ADDITIONAL_FIELD_NAME = /^_[\w.-]+$/

/** Checks a parsed object against GELF 1.1; returns the first violation, or null. */
export const validateGelf = (msg: GelfMessage): string | null => {
  if (msg.version !== '1.1')
    return msg.version === undefined
      ? 'gelf: missing version (must be "1.1")'
      : `gelf: version must be "1.1", got ${JSON.stringify(msg.version)}`
  if (msg.host === undefined) return 'gelf: missing host'
  if (typeof msg.host !== 'string' || msg.host.length === 0)
    return `gelf: host must be a non-empty string, got ${typeName(msg.host)}`
  if (msg.short_message === undefined) return 'gelf: missing short_message'
  if (typeof msg.short_message !== 'string')
    return `gelf: short_message must be a string, got ${typeName(msg.short_message)}`
  if (msg.full_message !== undefined && typeof msg.full_message !== 'string')
    return `gelf: full_message must be a string, got ${typeName(msg.full_message)}`
  if (msg.timestamp !== undefined && (typeof msg.timestamp !== 'number' || !Number.isFinite(msg.timestamp)))
    return `gelf: timestamp must be a number (seconds since the epoch), got ${typeName(msg.timestamp)}`
  if (
    msg.level !== undefined &&
    (typeof msg.level !== 'number' || !Number.isInteger(msg.level) || msg.level < 0 || msg.level > 7)
  )
    return `gelf: level must be a syslog level 0-7, got ${JSON.stringify(msg.level)}`
  for (const key of Object.keys(msg)) {
    if (STANDARD_FIELDS.has(key)) continue
    if (key === '_id') return 'gelf: additional field "_id" is not allowed'
    if (!key.startsWith('_'))
      return `gelf: unknown field ${JSON.stringify(key)}: additional fields must start with "_"`
    if (!ADDITIONAL_FIELD_NAME.test(key))
      return `gelf: bad field name ${JSON.stringify(key)}: use letters, digits, "_", "-" and "."`
  }
  return null
}

/**
 * One whole GELF message (gzip, zlib or plain JSON) -> the validated object. maxBytes caps the
 * message after decompression.
 */
export const decodeGelfPayload = (buf: Buffer, opts: { maxBytes: number }): GelfResult => {
  if (buf.length === 0) return { ok: false, error: 'gelf: empty message' }
  if (isGelfChunk(buf))
    return { ok: false, error: 'gelf: a chunk, not a message: reassemble it with GelfChunkAssembler first' }
  let raw = buf
  if (isGzip(buf) || isZlib(buf)) {
    const inflated = inflate(buf, opts.maxBytes)
    if (!inflated.ok) return inflated
    raw = inflated.value
  } else if (buf.length > opts.maxBytes) {
    return { ok: false, error: `gelf: message larger than ${opts.maxBytes} bytes` }
  }
  let text = raw.toString('utf8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    const at = locateJsonError(text)
    return {
      ok: false,
      error: at
        ? `gelf: invalid JSON at line ${at.line}, column ${at.column}: ${at.reason}`
        : 'gelf: invalid JSON',
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, error: `gelf: expected a JSON object, got ${typeName(value)}` }
  const msg = value as GelfMessage
  const problem = validateGelf(msg)
  return problem ? { ok: false, error: problem } : { ok: true, value: msg }
}

// ---------------------------------------------------------------------------------------------
// To the collector's flat record

/**
 * A validated GELF message -> the record the normalizer reads: every original field kept, plus
 * `@timestamp`, `host.name`, `message` and `log.level` where GELF has them.
 */
export const gelfToEvent = (msg: GelfMessage): Record<string, unknown> => {
  const event: Record<string, unknown> = { ...msg }
  const ms = parseTime(msg.timestamp)
  // Seconds per GELF; like the normalizer, parseTime reads a sender's milliseconds (> 1e11) as such.
  // Date only spans +-8.64e15 ms.
  if (ms !== null && Math.abs(ms) <= 8.64e15) event['@timestamp'] = new Date(ms).toISOString()
  if (typeof msg.host === 'string') event['host.name'] = msg.host
  if (typeof msg.short_message === 'string') event.message = msg.short_message
  if (typeof msg.level === 'number') {
    const name = SYSLOG_SEVERITIES[msg.level]
    if (name) event['log.level'] = name
  }
  return event
}
