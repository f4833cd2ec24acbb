import { blankMessage, fail, put } from './shared'
import type { ParseResult } from './types'

const LABEL = 'kv'

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09
/** Key characters: anything but whitespace, '=' and quotes. */
const isKeyChar = (c: number): boolean => !isSpace(c) && c !== 0x3d && c !== 0x22 && c !== 0x27

/**
 * `key=value key2="quoted value" key3='x'`. Quoted values unescape `\"` (or `\'`) and `\\`.
 * Words that are not pairs ("Login failed user=bob") are kept, space-joined, as the message.
 */
export const parseKv = (line: string): ParseResult => {
  const fields: Record<string, unknown> = {}
  const words: string[] = []
  let pairs = 0
  let k = 0
  while (k < line.length) {
    while (isSpace(line.charCodeAt(k))) k++
    if (k >= line.length) break
    const keyStart = k
    while (k < line.length && isKeyChar(line.charCodeAt(k))) k++
    if (k === keyStart || line.charCodeAt(k) !== 0x3d) {
      while (k < line.length && !isSpace(line.charCodeAt(k))) k++
      words.push(line.slice(keyStart, k))
      continue
    }
    const key = line.slice(keyStart, k)
    k++
    const quote = line.charCodeAt(k)
    let value: string
    if (quote === 0x22 || quote === 0x27) {
      const open = k
      value = ''
      let from = ++k
      for (;;) {
        if (k >= line.length) return fail(LABEL, line, open, 'unterminated quoted value')
        const c = line.charCodeAt(k)
        if (c === quote) break
        if (c === 0x5c) {
          const next = line.charCodeAt(k + 1)
          if (next === quote || next === 0x5c) {
            value += line.slice(from, k)
            from = k + 1
            k += 2
            continue
          }
        }
        k++
      }
      value += line.slice(from, k)
      k++
      if (k < line.length && !isSpace(line.charCodeAt(k)))
        return fail(LABEL, line, k, 'expected a space after the closing quote')
    } else {
      const from = k
      while (k < line.length && !isSpace(line.charCodeAt(k))) k++
      value = line.slice(from, k)
    }
    put(fields, key, value)
    pairs++
  }
  if (pairs === 0) return fail(LABEL, line, 0, 'no key=value pairs')
  return { ...blankMessage('kv'), message: words.length > 0 ? words.join(' ') : null, fields }
}
