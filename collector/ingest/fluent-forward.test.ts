import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { pack, unpack } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import {
  encodeAck,
  EventTime,
  ForwardDecoder,
  type ForwardMessage,
  forwardEntryToEvent,
} from './fluent-forward'
import { normalizeJson } from './normalize'

/** msgpack of a value, with EventTime written as Fluent's ext type 0 wherever it appears. */
const enc = (value: unknown): Buffer => {
  if (value instanceof EventTime) return value.encode()
  if (Array.isArray(value)) {
    const header =
      value.length < 16
        ? Buffer.from([0x90 | value.length])
        : Buffer.from([0xdc, value.length >> 8, value.length & 0xff])
    return Buffer.concat([header, ...value.map(enc)])
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const entries = Object.entries(value)
    const header =
      entries.length < 16
        ? Buffer.from([0x80 | entries.length])
        : Buffer.from([0xde, entries.length >> 8, entries.length & 0xff])
    return Buffer.concat([header, ...entries.flatMap(([k, v]) => [pack(k), enc(v)])])
  }
  return pack(value)
}

/** A msgpack str (not bin) holding arbitrary bytes: how old msgpack "raw" senders packed entries. */
const rawStr = (bytes: Buffer): Buffer => {
  const header = Buffer.alloc(5)
  header[0] = 0xdb
  header.writeUInt32BE(bytes.length, 1)
  return Buffer.concat([header, bytes])
}

const T0 = 1763769600 // 2025-11-22T00:00:00Z
const ISO0 = '2025-11-22T00:00:00.000Z'
const et = (ns: number): EventTime => new EventTime(T0, ns)

const decodeAll = (...chunks: Buffer[]): { messages: ForwardMessage[]; errors: string[] } => {
  const decoder = new ForwardDecoder()
  const messages: ForwardMessage[] = []
  const errors: string[] = []
  for (const chunk of chunks) {
    const result = decoder.push(chunk)
    messages.push(...result.messages)
    if (!result.ok) errors.push(result.error)
  }
  return { messages, errors }
}

const packedEntries = (...entries: [EventTime | number, Record<string, unknown>][]): Buffer =>
  Buffer.concat(entries.map((e) => enc(e)))

// One stream with every mode, used by the split tests.
const STREAM_PARTS = [
  enc(['app.message', T0, { message: 'plain time' }]),
  enc(['app.message', et(123_456_789), { message: 'event time' }, { chunk: 'c1' }]),
  enc([
    'app.forward',
    [
      [et(0), { n: 1 }],
      [T0 + 1, { n: 2 }],
    ],
    { chunk: 'c2', size: 2 },
  ]),
  enc(['app.packed', packedEntries([et(5_000_000), { n: 3 }], [T0, { n: 4, bin: Buffer.from('hi') }])]),
  enc([
    'app.gzip',
    Buffer.concat([
      gzipSync(packedEntries([et(0), { n: 5 }])),
      gzipSync(packedEntries([et(1_000_000), { n: 6 }])),
    ]),
    { compressed: 'gzip', chunk: 'c3' },
  ]),
]
const STREAM = Buffer.concat(STREAM_PARTS)
const STREAM_MESSAGES: ForwardMessage[] = [
  { tag: 'app.message', entries: [{ time: T0 * 1000, record: { message: 'plain time' } }], chunkId: null },
  {
    tag: 'app.message',
    entries: [{ time: T0 * 1000 + 123, record: { message: 'event time' } }],
    chunkId: 'c1',
  },
  {
    tag: 'app.forward',
    entries: [
      { time: T0 * 1000, record: { n: 1 } },
      { time: (T0 + 1) * 1000, record: { n: 2 } },
    ],
    chunkId: 'c2',
  },
  {
    tag: 'app.packed',
    entries: [
      { time: T0 * 1000 + 5, record: { n: 3 } },
      { time: T0 * 1000, record: { n: 4, bin: 'hi' } },
    ],
    chunkId: null,
  },
  {
    tag: 'app.gzip',
    entries: [
      { time: T0 * 1000, record: { n: 5 } },
      { time: T0 * 1000 + 1, record: { n: 6 } },
    ],
    chunkId: 'c3',
  },
]

describe('ForwardDecoder', () => {
  it('reads all four modes from one stream', () => {
    expect(decodeAll(STREAM)).toEqual({ messages: STREAM_MESSAGES, errors: [] })
  })

  it('yields the same messages when the stream is cut at any single byte', () => {
    for (let at = 0; at <= STREAM.length; at++) {
      expect(decodeAll(STREAM.subarray(0, at), STREAM.subarray(at))).toEqual({
        messages: STREAM_MESSAGES,
        errors: [],
      })
    }
  })

  it('yields the same messages fed one byte at a time', () => {
    const bytes = [...STREAM].map((b) => Buffer.from([b]))
    expect(decodeAll(...bytes)).toEqual({ messages: STREAM_MESSAGES, errors: [] })
  })

  it('yields the same messages however the stream is cut into reads', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: STREAM.length - 1 }), { maxLength: 30 }),
        (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), STREAM.length]
          const chunks = points.slice(1).map((to, i) => STREAM.subarray(points[i], to))
          expect(decodeAll(...chunks)).toEqual({ messages: STREAM_MESSAGES, errors: [] })
        },
      ),
    )
  })

  it('reads back any records sent in any mode', () => {
    const record = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 10 }).filter((k) => k !== '__proto__'),
      fc.oneof(
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        // msgpackr packs -0 as the integer 0 (and JSON has no -0 either): senders cannot send it.
        fc.double({ noNaN: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
      ),
      { maxKeys: 5 },
    )
    const entry = fc.tuple(
      fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      fc.integer({ min: 0, max: 999_999_999 }),
      record,
    )
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), fc.nat(), (entries, cut) => {
        const pairs = entries.map(([s, ns, r]) => [new EventTime(s, ns), r] as const)
        const expected = entries.map(([s, ns, r]) => ({ time: s * 1000 + Math.floor(ns / 1e6), record: r }))
        const stream = Buffer.concat([
          ...pairs.map(([t, r]) => enc(['m', t, r])),
          enc(['f', pairs]),
          enc(['p', Buffer.concat(pairs.map((p) => enc(p)))]),
          enc(['z', gzipSync(Buffer.concat(pairs.map((p) => enc(p)))), { compressed: 'gzip' }]),
        ])
        const at = cut % (stream.length + 1)
        const { messages, errors } = decodeAll(stream.subarray(0, at), stream.subarray(at))
        expect(errors).toEqual([])
        expect(messages.filter((m) => m.tag === 'm').flatMap((m) => m.entries)).toEqual(expected)
        for (const tag of ['f', 'p', 'z'])
          expect(messages.find((m) => m.tag === tag)?.entries).toEqual(expected)
      }),
      { numRuns: 200 },
    )
  })

  it('reads packed entries sent as msgpack str (old "raw" type) byte for byte', () => {
    const entries = packedEntries([et(0), { msg: 'ünïcode' }], [T0, { n: 0xff }])
    const stream = Buffer.concat([Buffer.from([0x92]), pack('legacy'), rawStr(entries)])
    expect(decodeAll(stream).messages).toEqual([
      {
        tag: 'legacy',
        entries: [
          { time: T0 * 1000, record: { msg: 'ünïcode' } },
          { time: T0 * 1000, record: { n: 0xff } },
        ],
        chunkId: null,
      },
    ])
  })

  it('reads an empty forward batch and an uncompressed "text" packed batch', () => {
    expect(
      decodeAll(enc(['t', []]), enc(['t', packedEntries([T0, { a: 1 }]), { compressed: 'text' }])).messages,
    ).toEqual([
      { tag: 't', entries: [], chunkId: null },
      { tag: 't', entries: [{ time: T0 * 1000, record: { a: 1 } }], chunkId: null },
    ])
  })

  it('truncates EventTime nanoseconds to milliseconds, and accepts float seconds', () => {
    const { messages } = decodeAll(enc(['t', new EventTime(T0, 999_999_999), {}]), enc(['t', T0 + 0.25, {}]))
    expect(messages.map((m) => m.entries[0]?.time)).toEqual([T0 * 1000 + 999, T0 * 1000 + 250])
  })

  it('makes record values JSON-safe', () => {
    const record = {
      bin: Buffer.from('text'),
      raw: Buffer.from([0xff, 0x00, 0xfe]),
      big: 2n ** 63n - 1n,
      small64: 2n ** 40n,
      when: et(0),
      nested: { list: [Buffer.from('a'), 1] },
    }
    const stream = Buffer.concat([Buffer.from([0x93]), pack('t'), pack(T0), enc(record)])
    expect(decodeAll(stream).messages[0]?.entries[0]?.record).toEqual({
      bin: 'text',
      raw: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'),
      big: '9223372036854775807',
      small64: 2 ** 40,
      when: ISO0,
      nested: { list: ['a', 1] },
    })
  })

  it('keeps a "__proto__" key from polluting anything', () => {
    const stream = Buffer.concat([
      Buffer.from([0x93]),
      pack('t'),
      pack(T0),
      Buffer.from([0x81]),
      pack('__proto__'),
      pack({ polluted: true }),
    ])
    const record = decodeAll(stream).messages[0]?.entries[0]?.record
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it.each([
    ['not an array', pack(42), 'fluent forward: expected an array [tag, ...], got number'],
    ['a non-string tag', enc([7, T0, {}]), 'fluent forward: tag must be a string, got number'],
    ['a record that is not a map', enc(['t', T0, [1, 2]]), 'fluent forward: record must be a map, got array'],
    [
      'a time that is a string',
      enc(['t', [['now', {}]]]),
      'fluent forward: time must be an integer or EventTime, got string',
    ],
    [
      'an entry that is not a pair',
      enc(['t', [[T0]]]),
      'fluent forward: entry 1: expected [time, record], got array',
    ],
    ['too many items', enc(['t', T0, {}, {}, 1]), 'fluent forward: message mode takes 3 or 4 items, got 5'],
    [
      'an option that is not a map',
      enc(['t', T0, {}, 'x']),
      'fluent forward: option must be a map, got string',
    ],
    [
      'a non-string chunk id',
      enc(['t', [], { chunk: 1 }]),
      'fluent forward: option.chunk must be a string, got number',
    ],
    [
      'a second item of the wrong type',
      enc(['t', true]),
      'fluent forward: second item must be a time, an entries array or packed entries, got boolean',
    ],
    [
      'zstd',
      enc(['t', Buffer.from('x'), { compressed: 'zstd' }]),
      'fluent forward: unsupported compression "zstd" (gzip only)',
    ],
    [
      'a handshake PING',
      enc(['PING', 'host', 'salt', 'digest', '', '']),
      'fluent forward: handshake (PING) is not supported: remove shared_key authentication (<security>) from the forwarder',
    ],
  ])('refuses %s', (_name, bytes, error) => {
    expect(decodeAll(bytes)).toEqual({ messages: [], errors: [error] })
  })

  it.each([
    [
      'bad gzip',
      enc(['t', Buffer.from([0x1f, 0x8b, 8, 0, 1, 2]), { compressed: 'gzip' }]),
      /^fluent forward: bad gzip entries/,
    ],
    [
      'truncated packed entries',
      enc(['t', packedEntries([T0, { a: 1 }]).subarray(0, -1)]),
      /^fluent forward: bad packed entries/,
    ],
    [
      'a map keyed by a map',
      Buffer.from([0x81, 0x81, 0xa1, 0x61, 0x01, 0x01]),
      /^fluent forward: malformed msgpack/,
    ],
  ])('refuses %s', (_name, bytes, error) => {
    const { messages, errors } = decodeAll(bytes)
    expect(messages).toEqual([])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(error)
  })

  it('returns the good messages before an error, then stays failed', () => {
    const decoder = new ForwardDecoder()
    const first = decoder.push(Buffer.concat([enc(['ok', T0, { a: 1 }]), pack('junk'), enc(['ok', T0, {}])]))
    expect(first).toEqual({
      ok: false,
      messages: [{ tag: 'ok', entries: [{ time: T0 * 1000, record: { a: 1 } }], chunkId: null }],
      error: 'fluent forward: expected an array [tag, ...], got string',
    })
    expect(decoder.push(enc(['ok', T0, {}]))).toEqual({
      ok: false,
      messages: [],
      error: first.ok ? '' : first.error,
    })
    expect(decoder.bufferedBytes).toBe(0)
  })

  it('refuses a message announced larger than maxBufferedBytes before it arrives', () => {
    const big = enc(['t', Buffer.alloc(10_000)])
    const decoder = new ForwardDecoder({ maxBufferedBytes: 1000 })
    expect(decoder.push(big.subarray(0, 20))).toEqual({
      ok: false,
      messages: [],
      error: expect.stringMatching(/^fluent forward: message larger than 1000 bytes/) as string,
    })
  })

  it('refuses a message that keeps growing past maxBufferedBytes', () => {
    // 100 items of 50 bytes: the array header promises only 100 bytes, the rest shows as it comes.
    const big = enc(['t', Array.from({ length: 100 }, () => [T0, { a: 'x'.repeat(40) }])])
    const decoder = new ForwardDecoder({ maxBufferedBytes: 1000 })
    let result = decoder.push(big.subarray(0, 500))
    expect(result.ok).toBe(true)
    result = decoder.push(big.subarray(500, 1500))
    expect(result.ok).toBe(false)
    expect(decoder.bufferedBytes).toBe(0)
  })

  it('refuses a gzip bomb without expanding it', () => {
    const bombEntries = enc([T0, { pad: 'x'.repeat(30e6) }])
    const bomb = enc(['t', gzipSync(bombEntries), { compressed: 'gzip' }])
    expect(bomb.length).toBeLessThan(100_000)
    const before = process.memoryUsage().arrayBuffers
    const decoder = new ForwardDecoder({ maxDecompressedBytes: 1024 * 1024 })
    expect(decoder.push(bomb)).toEqual({
      ok: false,
      messages: [],
      error: 'fluent forward: entries larger than 1048576 bytes after decompression',
    })
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(10e6)
  })

  it('does not re-parse a large value on every chunk', () => {
    const big = enc([
      't',
      packedEntries(
        ...Array.from(
          { length: 5000 },
          () => [T0, { a: 'x'.repeat(50) }] as [number, Record<string, unknown>],
        ),
      ),
    ])
    const decoder = new ForwardDecoder()
    const started = performance.now()
    let messages: ForwardMessage[] = []
    for (let at = 0; at < big.length; at += 64)
      messages = messages.concat(decoder.push(big.subarray(at, at + 64)).messages)
    expect(messages[0]?.entries).toHaveLength(5000)
    expect(performance.now() - started).toBeLessThan(2000)
  })
})

describe('msgpack ext type 0', () => {
  it('still reads msgpackr/notepack undefined (fixext 1, type 0)', () => {
    expect(unpack(pack([undefined, 1]))).toEqual([undefined, 1])
  })

  it('reads EventTime as seconds and nanoseconds', () => {
    expect(unpack(new EventTime(T0, 42).encode())).toEqual(new EventTime(T0, 42))
  })
})

describe('encodeAck', () => {
  it('is the msgpack map {ack: chunk}', () => {
    const ack = encodeAck('c1')
    expect(ack).toEqual(Buffer.from([0x81, 0xa3, 0x61, 0x63, 0x6b, 0xa2, 0x63, 0x31]))
    expect(unpack(ack)).toEqual({ ack: 'c1' })
  })

  it('round-trips the chunk ids fluent-bit and fluentd send', () => {
    const id = Buffer.from('0123456789abcdef').toString('base64')
    const { messages } = decodeAll(enc(['t', [[T0, {}]], { chunk: id, size: 1 }]))
    expect(unpack(encodeAck(messages[0]!.chunkId!))).toEqual({ ack: id })
  })
})

describe('forwardEntryToEvent', () => {
  it('keeps the record and adds the time and tag', () => {
    const entry = { time: T0 * 1000 + 123, record: { log: 'GET /', stream: 'stdout' } }
    expect(forwardEntryToEvent('docker.web', entry)).toEqual({
      '@timestamp': '2025-11-22T00:00:00.123Z',
      'fluent.tag': 'docker.web',
      message: 'GET /',
      log: 'GET /',
      stream: 'stdout',
    })
  })

  it('never overwrites a field the record already has', () => {
    const entry = {
      time: T0 * 1000,
      record: { '@timestamp': '2020-01-01T00:00:00Z', message: 'own', log: 'other' },
    }
    expect(forwardEntryToEvent('t', entry)).toMatchObject({
      '@timestamp': '2020-01-01T00:00:00Z',
      message: 'own',
    })
  })

  it('feeds the normalizer', () => {
    const { messages } = decodeAll(
      enc(['syslog.auth', et(500_000_000), { host: 'ws-01', message: 'sshd: fail', severity: 'err' }]),
    )
    const entry = messages[0]!.entries[0]!
    const receivedAt = Date.parse('2026-01-01T00:00:00Z')
    const stored = normalizeJson(forwardEntryToEvent(messages[0]!.tag, entry), {
      listener: 'forward',
      source: null,
      receivedAt,
    })
    expect(stored).toMatchObject({
      ts: T0 * 1000 + 500,
      host: 'ws-01',
      message: 'sshd: fail',
      severity: 'err',
    })
    expect(JSON.parse(stored.fields)).toMatchObject({ 'fluent.tag': 'syslog.auth', host: 'ws-01' })
  })
})
