/**
 * RFC 6587 framing for syslog over a stream (TCP, TLS). Each connection is detected once,
 * from its first byte: a digit means octet-counting (`LEN SP MSG`), anything else means
 * non-transparent framing, where a frame ends at LF (or NUL, as some devices send; CR LF too).
 * Feed it the socket's chunks in order; it returns whole frames and keeps the remainder.
 */
export type Framing = 'octet-counting' | 'non-transparent'

export type FrameResult = { frames: Buffer[]; error: string | null }

const LF = 0x0a
const NUL = 0x00
const CR = 0x0d
const SP = 0x20

export class SyslogFrameDecoder {
  private buffer: Buffer = Buffer.alloc(0)
  private mode: Framing | null = null
  private broken = false

  constructor(private readonly maxFrameBytes: number) {}

  get framing(): Framing | null {
    return this.mode
  }

  /** Adds a chunk; returns the frames it completed. After an error the connection is unusable. */
  push(chunk: Buffer): FrameResult {
    if (this.broken) return { frames: [], error: 'stream already failed' }
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    if (this.mode === null && this.buffer.length > 0) {
      const first = this.buffer[0]!
      this.mode = first >= 0x31 && first <= 0x39 ? 'octet-counting' : 'non-transparent'
    }
    return this.mode === 'octet-counting' ? this.octetCounted() : this.delimited()
  }

  /** At end of stream: a trailing frame without its LF still counts (logger and devices do this). */
  end(): FrameResult {
    if (this.broken || this.buffer.length === 0) return { frames: [], error: null }
    const rest = this.buffer
    this.buffer = Buffer.alloc(0)
    if (this.mode === 'octet-counting') {
      return {
        frames: [],
        error: `stream ended inside an octet-counted frame (${rest.length} bytes pending)`,
      }
    }
    const frame = trimCr(rest)
    return { frames: frame.length > 0 ? [frame] : [], error: null }
  }

  private fail(error: string, frames: Buffer[]): FrameResult {
    this.broken = true
    this.buffer = Buffer.alloc(0)
    return { frames, error }
  }

  private octetCounted(): FrameResult {
    const frames: Buffer[] = []
    let offset = 0
    const buf = this.buffer
    for (;;) {
      let i = offset
      let length = 0
      while (i < buf.length && buf[i]! >= 0x30 && buf[i]! <= 0x39) {
        length = length * 10 + (buf[i]! - 0x30)
        i++
        if (i - offset > 10) return this.fail(`octet count too long at byte ${i}`, frames)
      }
      if (i === buf.length) break // the length itself is not complete yet
      if (i === offset || buf[offset] === 0x30) {
        return this.fail(
          `expected an octet count (MSG-LEN SP), found ${describe(buf[offset]!)} at byte ${offset}`,
          frames,
        )
      }
      if (buf[i] !== SP)
        return this.fail(`expected SP after the octet count, found ${describe(buf[i]!)}`, frames)
      if (length > this.maxFrameBytes) {
        return this.fail(`frame of ${length} bytes is over the ${this.maxFrameBytes}-byte limit`, frames)
      }
      if (buf.length - (i + 1) < length) break // the frame is not complete yet
      frames.push(buf.subarray(i + 1, i + 1 + length))
      offset = i + 1 + length
    }
    this.buffer = offset === 0 ? buf : buf.subarray(offset)
    return { frames, error: null }
  }

  private delimited(): FrameResult {
    const frames: Buffer[] = []
    const buf = this.buffer
    let start = 0
    for (let i = 0; i < buf.length; i++) {
      const byte = buf[i]
      if (byte !== LF && byte !== NUL) continue
      const frame = trimCr(buf.subarray(start, i))
      if (frame.length > 0) frames.push(frame)
      start = i + 1
    }
    this.buffer = start === 0 ? buf : buf.subarray(start)
    if (this.buffer.length > this.maxFrameBytes) {
      return this.fail(`no frame delimiter (LF) within ${this.maxFrameBytes} bytes`, frames)
    }
    return { frames, error: null }
  }
}

const trimCr = (frame: Buffer): Buffer =>
  frame.length > 0 && frame[frame.length - 1] === CR ? frame.subarray(0, -1) : frame

const describe = (byte: number): string =>
  byte >= 0x20 && byte < 0x7f
    ? JSON.stringify(String.fromCharCode(byte))
    : `byte 0x${byte.toString(16).padStart(2, '0')}`
