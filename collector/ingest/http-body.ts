import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { createGunzip, createInflate } from 'node:zlib'
import { firstInvalidUtf8 } from './utf8'

/** Shared by the HTTP listeners (JSON, HEC, _bulk, OTLP): bodies with a size cap, gzip or deflate. */
export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** What was received, when there is something worth keeping as a dead letter. */
    readonly payload: Buffer | null = null,
  ) {
    super(message)
  }
}

/** What an API answer (not an ingest acknowledgement) adds: never cached, never sniffed. */
export const API_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
}

/** Answers with `body` as JSON; `headers` may set another JSON media type (TAXII's). */
export const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    ...headers,
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

/**
 * Reads the whole body as text; see readBodyBytes. JSON is UTF-8 (RFC 8259): a body that is not is
 * refused saying where, rather than silently turned into U+FFFD.
 */
export const readBody = async (
  req: IncomingMessage,
  limit: number,
  setting = 'max_body_bytes',
): Promise<string> => {
  const bytes = await readBodyBytes(req, limit, setting)
  const bad = firstInvalidUtf8(bytes)
  if (bad >= 0) {
    const byte = `0x${bytes[bad]!.toString(16).padStart(2, '0')}`
    throw new BodyError(400, `body is not valid UTF-8: byte ${byte} at offset ${bad}; send UTF-8 text`, bytes)
  }
  return bytes.toString('utf8')
}

/** Reads the whole body, inflating gzip/deflate, and stops at `limit` bytes (after inflation: no gzip bombs). */
export const readBodyBytes = (
  req: IncomingMessage,
  limit: number,
  setting = 'max_body_bytes',
): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase()
    let stream: Readable = req
    if (encoding === 'gzip' || encoding === 'x-gzip') stream = req.pipe(createGunzip())
    else if (encoding === 'deflate') stream = req.pipe(createInflate())
    else if (encoding !== 'identity') {
      reject(new BodyError(415, `unsupported Content-Encoding "${encoding}": send identity, gzip or deflate`))
      req.resume()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        reject(
          new BodyError(
            413,
            `body larger than ${limit} bytes (after decompression): split the batch or raise ${setting} in config.yaml`,
          ),
        )
        stream.destroy()
        req.resume()
        return
      }
      chunks.push(chunk)
    })
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', (error) => reject(new BodyError(400, `cannot read body: ${error.message}`)))
  })
