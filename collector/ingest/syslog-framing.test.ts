import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SyslogFrameDecoder } from './syslog-framing'

const feed = (decoder: SyslogFrameDecoder, chunks: Buffer[]) => {
  const frames: string[] = []
  let error: string | null = null
  for (const chunk of chunks) {
    const result = decoder.push(chunk)
    frames.push(...result.frames.map((f) => f.toString()))
    error ??= result.error
  }
  const end = decoder.end()
  frames.push(...end.frames.map((f) => f.toString()))
  return { frames, error: error ?? end.error }
}

describe('SyslogFrameDecoder', () => {
  it.each([
    ['LF', '<13>a\n<13>b\n', ['<13>a', '<13>b'], 'non-transparent'],
    ['CR LF', '<13>a\r\n<13>b\r\n', ['<13>a', '<13>b'], 'non-transparent'],
    ['NUL', '<13>a\u0000<13>b\u0000', ['<13>a', '<13>b'], 'non-transparent'],
    ['a last frame without LF', '<13>a\n<13>b', ['<13>a', '<13>b'], 'non-transparent'],
    ['octet counting', '5 <13>a5 <13>b', ['<13>a', '<13>b'], 'octet-counting'],
    ['octet counting with LF inside a message', '9 <13>a\nb\nc', ['<13>a\nb\nc'], 'octet-counting'],
  ])('%s', (_name, stream, frames, framing) => {
    const decoder = new SyslogFrameDecoder(1024)
    expect(feed(decoder, [Buffer.from(stream)])).toEqual({ frames, error: null })
    expect(decoder.framing).toBe(framing)
  })

  it.each([
    ['a zero length after a good frame', '5 <13>a0 x', /expected an octet count \(MSG-LEN SP\), found "0"/],
    ['no SP after the count', '5x<13>a', /expected SP after the octet count, found "x"/],
    ['an oversized frame', '99999 <13>', /over the 1024-byte limit/],
    ['an unterminated octet frame', '50 <13>short', /ended inside an octet-counted frame/],
  ])('refuses %s', (_name, stream, error) => {
    expect(feed(new SyslogFrameDecoder(1024), [Buffer.from(stream)]).error).toMatch(error)
  })

  it('refuses a delimited stream that never delimits', () => {
    const decoder = new SyslogFrameDecoder(1024)
    expect(decoder.push(Buffer.alloc(2000, 0x41)).error).toMatch(
      /no frame delimiter \(LF\) within 1024 bytes/,
    )
  })

  it('gives the same frames however the stream is cut into chunks', () => {
    const message = fc
      .string({ minLength: 1, maxLength: 40 })
      .map((s) => '<13>' + s.replace(/[\n\r]/g, ' ').replaceAll('\u0000', ' '))
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (messages, octets, cuts) => {
          const stream = Buffer.from(
            octets
              ? messages.map((m) => `${Buffer.byteLength(m)} ${m}`).join('')
              : messages.map((m) => m + '\n').join(''),
          )
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
          const chunks: Buffer[] = []
          let last = 0
          for (const p of points) {
            chunks.push(stream.subarray(last, p))
            last = p
          }
          chunks.push(stream.subarray(last))
          expect(feed(new SyslogFrameDecoder(4096), chunks)).toEqual({ frames: messages, error: null })
        },
      ),
      { numRuns: 500 },
    )
  })
})
