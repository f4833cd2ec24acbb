import { deflateSync, gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeGelfPayload,
  GelfChunkAssembler,
  GelfTcpFramer,
  gelfToEvent,
  splitNulFrames,
  validateGelf,
} from './gelf'
import { normalizeJson } from './normalize'

const ID = Buffer.from('0102030405060708', 'hex')

const chunk = (id: Buffer, number: number, count: number, payload: Buffer | string): Buffer =>
  Buffer.concat([Buffer.from([0x1e, 0x0f]), id, Buffer.from([number, count]), Buffer.from(payload)])

/** Splits a message the way a GELF sender does: equal-sized pieces, one chunk header each. */
const chunksOf = (id: Buffer, message: Buffer, count: number): Buffer[] => {
  const size = Math.ceil(message.length / count)
  return Array.from({ length: count }, (_, i) =>
    chunk(id, i, count, message.subarray(i * size, (i + 1) * size)),
  )
}

const valid = {
  version: '1.1',
  host: 'ws-01',
  short_message: 'logon failed',
  timestamp: 1763769600.25,
  level: 4,
}
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value))

describe('GelfChunkAssembler', () => {
  it('passes an unchunked datagram through, and unwraps a one-chunk message', () => {
    const assembler = new GelfChunkAssembler()
    const plain = json(valid)
    expect(assembler.push(plain, 0)).toBe(plain)
    expect(assembler.push(chunk(ID, 0, 1, plain), 0)).toEqual(plain)
  })

  it('reassembles chunks arriving in any order, with duplicates, exactly once', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 2, max: 128 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.infiniteStream(fc.nat()),
        (bytes, count, duplicates, order) => {
          const message = Buffer.from(bytes)
          const chunks = chunksOf(ID, message, count)
          const sends = [...chunks, ...duplicates.map((d) => chunks[d % chunks.length]!)]
          // Shuffle by sort keys drawn from the stream.
          const keys = [...order.take(sends.length)]
          const shuffled = sends.map((c, i) => [keys[i]!, c] as const).sort((a, b) => a[0] - b[0])
          const assembler = new GelfChunkAssembler()
          const results = shuffled.map(([, c]) => assembler.push(c, 1000)).filter((r) => r !== null)
          expect(results).toEqual([message])
          expect(assembler.inFlight).toEqual({ messages: 0, bytes: 0 })
        },
      ),
      { numRuns: 200 },
    )
  })

  it('keeps messages apart by id', () => {
    const assembler = new GelfChunkAssembler()
    const other = Buffer.from('1111111111111111', 'hex')
    const a = chunksOf(ID, Buffer.from('aaaa'), 2)
    const b = chunksOf(other, Buffer.from('bbbb'), 2)
    expect(assembler.push(a[0]!, 0)).toBeNull()
    expect(assembler.push(b[1]!, 0)).toBeNull()
    expect(assembler.push(b[0]!, 0)).toEqual(Buffer.from('bbbb'))
    expect(assembler.push(a[1]!, 0)).toEqual(Buffer.from('aaaa'))
  })

  it.each([
    ['too short for a header', Buffer.from([0x1e, 0x0f, 1, 2, 3])],
    ['a count of 0', chunk(ID, 0, 0, 'x')],
    ['a count over 128', chunk(ID, 0, 129, 'x')],
    ['a number not below the count', chunk(ID, 3, 3, 'x')],
  ])('counts a chunk with %s as malformed', (_name, datagram) => {
    const assembler = new GelfChunkAssembler()
    expect(assembler.push(datagram, 0)).toBeNull()
    expect(assembler.counters.malformed).toBe(1)
    expect(assembler.inFlight.messages).toBe(0)
  })

  it('drops a message whose chunks disagree on the count', () => {
    const assembler = new GelfChunkAssembler()
    expect(assembler.push(chunk(ID, 0, 3, 'a'), 0)).toBeNull()
    expect(assembler.push(chunk(ID, 1, 2, 'b'), 0)).toBeNull()
    expect(assembler.counters.inconsistent).toBe(1)
    expect(assembler.inFlight).toEqual({ messages: 0, bytes: 0 })
  })

  it('counts and ignores a duplicate chunk', () => {
    const assembler = new GelfChunkAssembler()
    assembler.push(chunk(ID, 0, 2, 'first'), 0)
    assembler.push(chunk(ID, 0, 2, 'second'), 0)
    expect(assembler.counters.duplicates).toBe(1)
    expect(assembler.push(chunk(ID, 1, 2, '!'), 0)).toEqual(Buffer.from('first!'))
    // Late copies of a completed message are duplicates too, not a new message.
    expect(assembler.push(chunk(ID, 0, 2, 'first'), 10)).toBeNull()
    expect(assembler.push(chunk(ID, 1, 2, '!'), 20)).toBeNull()
    expect(assembler.counters.duplicates).toBe(3)
    expect(assembler.inFlight.messages).toBe(0)
    // After the timeout the id may be reused.
    assembler.push(chunk(ID, 0, 2, 'new'), 6000)
    expect(assembler.push(chunk(ID, 1, 2, '!'), 6000)).toEqual(Buffer.from('new!'))
  })

  it('expires incomplete messages after 5 s', () => {
    const assembler = new GelfChunkAssembler()
    assembler.push(chunk(ID, 0, 2, 'a'), 1000)
    assembler.push(chunk(Buffer.alloc(8, 9), 0, 2, 'b'), 4000)
    expect(assembler.expire(6000)).toBe(0)
    expect(assembler.expire(6001)).toBe(1)
    expect(assembler.inFlight).toEqual({ messages: 1, bytes: 1 })
    expect(assembler.expire(20_000)).toBe(1)
    expect(assembler.counters.expired).toBe(2)
    expect(assembler.inFlight).toEqual({ messages: 0, bytes: 0 })
  })

  it('does not complete a message with a chunk arriving after the timeout', () => {
    const assembler = new GelfChunkAssembler({ timeoutMs: 5000 })
    assembler.push(chunk(ID, 0, 2, 'a'), 0)
    expect(assembler.push(chunk(ID, 1, 2, 'b'), 5001)).toBeNull()
    expect(assembler.counters.expired).toBe(1)
    // The late chunk starts the message afresh.
    expect(assembler.push(chunk(ID, 0, 2, 'a'), 5002)).toEqual(Buffer.from('ab'))
  })

  it('drops the oldest message beyond maxMessages', () => {
    const assembler = new GelfChunkAssembler({ maxMessages: 3 })
    const ids = [1, 2, 3, 4].map((n) => Buffer.alloc(8, n))
    for (const id of ids) assembler.push(chunk(id, 0, 2, 'x'), 0)
    expect(assembler.counters.evicted).toBe(1)
    expect(assembler.inFlight.messages).toBe(3)
    expect(assembler.push(chunk(ids[0]!, 1, 2, 'y'), 0)).toBeNull() // the oldest is gone
    expect(assembler.push(chunk(ids[3]!, 1, 2, 'y'), 0)).toEqual(Buffer.from('xy'))
  })

  it('drops the oldest messages beyond maxBufferedBytes, and a chunk larger than it', () => {
    const assembler = new GelfChunkAssembler({ maxBufferedBytes: 100 })
    assembler.push(chunk(Buffer.alloc(8, 1), 0, 2, 'a'.repeat(40)), 0)
    assembler.push(chunk(Buffer.alloc(8, 2), 0, 2, 'b'.repeat(40)), 0)
    assembler.push(chunk(Buffer.alloc(8, 3), 0, 2, 'c'.repeat(40)), 0)
    expect(assembler.counters.evicted).toBe(1)
    expect(assembler.inFlight).toEqual({ messages: 2, bytes: 80 })
    assembler.push(chunk(Buffer.alloc(8, 4), 0, 2, 'd'.repeat(101)), 0)
    expect(assembler.counters.evicted).toBe(2)
    expect(assembler.inFlight).toEqual({ messages: 2, bytes: 80 })
  })

  it('stays within its bounds whatever arrives', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.integer({ min: 0, max: 20 }),
            number: fc.integer({ min: 0, max: 130 }),
            count: fc.integer({ min: 0, max: 130 }),
            size: fc.integer({ min: 0, max: 300 }),
            at: fc.integer({ min: 0, max: 20_000 }),
          }),
          { maxLength: 200 },
        ),
        (datagrams) => {
          const assembler = new GelfChunkAssembler({ maxMessages: 5, maxBufferedBytes: 1000 })
          for (const d of datagrams) {
            assembler.push(chunk(Buffer.alloc(8, d.id), d.number, d.count, Buffer.alloc(d.size)), d.at)
            expect(assembler.inFlight.messages).toBeLessThanOrEqual(5)
            expect(assembler.inFlight.bytes).toBeLessThanOrEqual(1000)
          }
          assembler.expire(Number.MAX_SAFE_INTEGER)
          expect(assembler.inFlight).toEqual({ messages: 0, bytes: 0 })
        },
      ),
    )
  })
})

describe('decodeGelfPayload', () => {
  const opts = { maxBytes: 64 * 1024 }

  it.each([
    ['plain JSON', (b: Buffer) => b],
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['zlib', (b: Buffer) => deflateSync(b)],
    ['zlib at best compression', (b: Buffer) => deflateSync(b, { level: 9 })],
    ['zlib at no compression', (b: Buffer) => deflateSync(b, { level: 0 })],
  ])('reads %s', (_name, encode) => {
    expect(decodeGelfPayload(encode(json(valid)), opts)).toEqual({ ok: true, value: valid })
  })

  it('reads a message reassembled from gzip chunks', () => {
    const message = { ...valid, full_message: 'x'.repeat(5000), _user: 'bob' }
    const assembler = new GelfChunkAssembler()
    const chunks = chunksOf(ID, gzipSync(json(message), { level: 0 }), 5)
    const whole = chunks.map((c) => assembler.push(c, 0)).find((r) => r !== null)
    expect(decodeGelfPayload(whole!, opts)).toEqual({ ok: true, value: message })
  })

  it('refuses a gzip bomb without expanding it', () => {
    const bomb = gzipSync(
      Buffer.concat([json(valid).subarray(0, -1), Buffer.alloc(50e6, 0x20), Buffer.from('}')]),
    )
    expect(bomb.length).toBeLessThan(100_000)
    const before = process.memoryUsage().arrayBuffers
    const result = decodeGelfPayload(bomb, opts)
    expect(result).toEqual({ ok: false, error: 'gelf: message larger than 65536 bytes after decompression' })
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(10e6)
    expect(decodeGelfPayload(deflateSync(Buffer.alloc(1e6, 0x20)), opts)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/after decompression/) as string,
    })
  })

  it('refuses a plain message over maxBytes', () => {
    expect(decodeGelfPayload(json({ ...valid, _pad: 'x'.repeat(100) }), { maxBytes: 50 })).toEqual({
      ok: false,
      error: 'gelf: message larger than 50 bytes',
    })
  })

  it.each([
    [Buffer.alloc(0), /^gelf: empty message$/],
    [Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]), /^gelf: bad gzip data/],
    [Buffer.from([0x78, 0x9c, 1, 2, 3]), /^gelf: bad zlib data/],
    [chunk(ID, 0, 2, 'x'), /reassemble it with GelfChunkAssembler/],
    [
      Buffer.from('{"version":"1.1",\n "host": oops}'),
      /^gelf: invalid JSON at line 2, column 10: expected a value/,
    ],
    [Buffer.from('[1,2]'), /^gelf: expected a JSON object, got array/],
    [Buffer.from('"hello"'), /^gelf: expected a JSON object, got string/],
  ])('refuses %j: %s', (buf, error) => {
    const result = decodeGelfPayload(buf, opts)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toMatch(error)
  })

  it('accepts a BOM and surrounding whitespace', () => {
    expect(decodeGelfPayload(Buffer.from(`\ufeff ${JSON.stringify(valid)}\n`), opts)).toEqual({
      ok: true,
      value: valid,
    })
  })
})

describe('validateGelf', () => {
  const base = { version: '1.1', host: 'h', short_message: 'm' }

  it.each([
    [{ ...base, full_message: 'long', timestamp: 1.5, level: 0, facility: 'f', line: 3, file: 'a.c' }],
    [{ ...base, level: 7, _user_name: 'bob', '_a.b-c': 1, _nested: { x: 1 } }],
    [{ ...base, short_message: '' }],
  ])('accepts %j', (msg) => {
    expect(validateGelf(msg)).toBeNull()
  })

  it.each([
    [{ host: 'h', short_message: 'm' }, 'gelf: missing version (must be "1.1")'],
    [{ ...base, version: '1.0' }, 'gelf: version must be "1.1", got "1.0"'],
    [{ ...base, version: 1.1 }, 'gelf: version must be "1.1", got 1.1'],
    [{ version: '1.1', short_message: 'm' }, 'gelf: missing host'],
    [{ ...base, host: '' }, 'gelf: host must be a non-empty string, got string'],
    [{ ...base, host: 7 }, 'gelf: host must be a non-empty string, got number'],
    [{ version: '1.1', host: 'h' }, 'gelf: missing short_message'],
    [{ ...base, short_message: null }, 'gelf: short_message must be a string, got null'],
    [{ ...base, full_message: [] }, 'gelf: full_message must be a string, got array'],
    [
      { ...base, timestamp: '1763769600' },
      'gelf: timestamp must be a number (seconds since the epoch), got string',
    ],
    [{ ...base, level: 8 }, 'gelf: level must be a syslog level 0-7, got 8'],
    [{ ...base, level: 2.5 }, 'gelf: level must be a syslog level 0-7, got 2.5'],
    [{ ...base, level: 'error' }, 'gelf: level must be a syslog level 0-7, got "error"'],
    [{ ...base, _id: 'x' }, 'gelf: additional field "_id" is not allowed'],
    [{ ...base, user: 'bob' }, 'gelf: unknown field "user": additional fields must start with "_"'],
    [{ ...base, '_bad name': 1 }, 'gelf: bad field name "_bad name": use letters, digits, "_", "-" and "."'],
    [{ ...base, _: 1 }, 'gelf: bad field name "_": use letters, digits, "_", "-" and "."'],
  ])('refuses %j', (msg, error) => {
    expect(validateGelf(msg)).toBe(error)
  })
})

describe('TCP framing', () => {
  it('splits NUL-terminated frames, skips empty ones and keeps the tail', () => {
    const result = splitNulFrames(Buffer.from('{"a":1}\0\0{"b":2}\0{"c"'), 100)
    expect(result.frames.map(String)).toEqual(['{"a":1}', '{"b":2}'])
    expect(String(result.rest)).toBe('{"c"')
    expect(result.oversized).toBe(0)
  })

  it('drops a complete frame over the limit and reads on', () => {
    const result = splitNulFrames(Buffer.from('aaaaaaaaaa\0bb\0'), 5)
    expect(result.frames.map(String)).toEqual(['bb'])
    expect(result.oversized).toBe(1)
  })

  it('yields the same frames however the stream is cut into reads', () => {
    const frame = fc.string({
      unit: fc.constantFrom('a', 'b', '{', '}', '"', 'é'),
      minLength: 1,
      maxLength: 30,
    })
    fc.assert(
      fc.property(
        fc.array(frame, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (frames, cuts) => {
          const stream = Buffer.from(frames.map((f) => `${f}\0`).join(''))
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
          const framer = new GelfTcpFramer(1000)
          const out: string[] = []
          let from = 0
          for (const to of [...points, stream.length]) {
            const { frames: got, errors } = framer.push(stream.subarray(from, to))
            expect(errors).toEqual([])
            out.push(...got.map(String))
            from = to
          }
          expect(out).toEqual(frames)
          expect(framer.pendingBytes).toBe(0)
        },
      ),
    )
  })

  it('skips an oversized frame still arriving, then resyncs at the next NUL', () => {
    const framer = new GelfTcpFramer(10)
    expect(framer.push(Buffer.from('{"ok":1}\0{"xxxxxxxxxx'))).toEqual({
      frames: [Buffer.from('{"ok":1}')],
      errors: ['gelf: frame larger than 10 bytes, skipped to the next NUL'],
    })
    expect(framer.pendingBytes).toBe(0)
    expect(framer.push(Buffer.from('x'.repeat(1000)))).toEqual({ frames: [], errors: [] })
    expect(framer.pendingBytes).toBe(0)
    expect(framer.push(Buffer.from('xx"}\0{"ok":2}\0'))).toEqual({
      frames: [Buffer.from('{"ok":2}')],
      errors: [],
    })
  })

  it('decodes TCP frames end to end', () => {
    const framer = new GelfTcpFramer(1000)
    const { frames } = framer.push(
      Buffer.from(`${JSON.stringify(valid)}\0${JSON.stringify({ ...valid, level: 9 })}\0`),
    )
    expect(frames.map((f) => decodeGelfPayload(f, { maxBytes: 1000 }))).toEqual([
      { ok: true, value: valid },
      { ok: false, error: 'gelf: level must be a syslog level 0-7, got 9' },
    ])
  })
})

describe('gelfToEvent', () => {
  it('keeps every field and adds the hints the normalizer reads', () => {
    const msg = { ...valid, full_message: 'stack trace', _user: 'bob', _pid: 42 }
    expect(gelfToEvent(msg)).toEqual({
      ...msg,
      '@timestamp': '2025-11-22T00:00:00.250Z',
      'host.name': 'ws-01',
      message: 'logon failed',
      'log.level': 'warning',
    })
  })

  it.each([
    [0, 'emergency'],
    [1, 'alert'],
    [2, 'critical'],
    [3, 'error'],
    [5, 'notice'],
    [6, 'informational'],
    [7, 'debug'],
  ])('names level %i %s', (level, name) => {
    expect(gelfToEvent({ ...valid, level })['log.level']).toBe(name)
  })

  it('reads a millisecond timestamp sent by mistake, and ignores one out of range', () => {
    expect(gelfToEvent({ ...valid, timestamp: 1763769600250 })['@timestamp']).toBe('2025-11-22T00:00:00.250Z')
    expect(gelfToEvent({ ...valid, timestamp: 1e300 })).not.toHaveProperty('@timestamp')
  })

  it('leaves out what the message does not have', () => {
    const event = gelfToEvent({ version: '1.1', host: 'h', short_message: 'm' })
    expect(event).not.toHaveProperty('@timestamp')
    expect(event).not.toHaveProperty('log.level')
  })

  it('feeds the normalizer', () => {
    const receivedAt = Date.parse('2026-01-01T00:00:00Z')
    const stored = normalizeJson(gelfToEvent(valid), { listener: 'gelf', source: '10.0.0.9', receivedAt })
    expect(stored).toMatchObject({
      ts: Date.parse('2025-11-22T00:00:00.250Z'),
      host: 'ws-01',
      message: 'logon failed',
      severity: 'warning',
    })
    expect(JSON.parse(stored.fields)).toMatchObject(valid)
  })
})
