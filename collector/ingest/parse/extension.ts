import { put } from './shared'

/** Extension keys of CEF (and LEEF written with spaces): [A-Za-z0-9_.[\]-]+. */
const KEY_CHAR = new Uint8Array(128)
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.[]-')
  KEY_CHAR[c.charCodeAt(0)] = 1
export const isKeyChar = (c: number): boolean => c < 128 && KEY_CHAR[c] === 1

/** Header fields split at unescaped '|'; `\|` and `\\` unescaped, any other backslash kept. */
export const readHeaderFields = (
  text: string,
  start: number,
  count: number,
): { fields: string[]; starts: number[]; end: number } | { found: number } => {
  const fields: string[] = []
  const starts: number[] = []
  let k = start
  while (fields.length < count) {
    starts.push(k)
    let value = ''
    let from = k
    for (;;) {
      if (k >= text.length) return { found: fields.length }
      const c = text.charCodeAt(k)
      if (c === 0x7c) break
      if (c === 0x5c) {
        const next = text.charCodeAt(k + 1)
        if (next === 0x7c || next === 0x5c) {
          value += text.slice(from, k)
          from = k + 1
          k += 2
          continue
        }
      }
      k++
    }
    fields.push(value + text.slice(from, k))
    k++
  }
  return { fields, starts, end: k }
}

const ESCAPED: Record<number, string> = { 0x3d: '=', 0x5c: '\\', 0x6e: '\n', 0x72: '\r' }

/**
 * `key=value key2=value two` from `start`: a value runs until the next ` key=` (trailing spaces
 * dropped). With `unescape`
 * (CEF), `\=` `\\` `\n` `\r` are decoded and an escaped '=' never starts a key. Single pass: the
 * look-ahead after a space skips the key-like run it read, so hostile input stays linear.
 */
export const readExtension = (
  text: string,
  start: number,
  unescape: boolean,
): { values: Record<string, string> } | { at: number; reason: string } => {
  const values: Record<string, string> = {}
  let k = start
  while (text.charCodeAt(k) === 0x20) k++
  while (k < text.length) {
    const keyStart = k
    while (k < text.length && isKeyChar(text.charCodeAt(k))) k++
    if (k === keyStart || text.charCodeAt(k) !== 0x3d)
      return { at: keyStart, reason: 'expected key=value in extension' }
    const key = text.slice(keyStart, k)
    k++
    let value = ''
    let from = k
    let end = text.length
    let next = text.length
    while (k < text.length) {
      const c = text.charCodeAt(k)
      if (c === 0x5c && unescape) {
        const decoded = ESCAPED[text.charCodeAt(k + 1)]
        if (decoded !== undefined) {
          value += text.slice(from, k) + decoded
          from = k + 2
          k += 2
        } else k++
      } else if (c === 0x20) {
        let m = k + 1
        while (m < text.length && isKeyChar(text.charCodeAt(m))) m++
        if (m > k + 1 && text.charCodeAt(m) === 0x3d) {
          end = k
          next = k + 1
          break
        }
        k = m
      } else k++
    }
    // Spaces before the next key (or the end) separate, as in Logstash's cef codec: not part of the value.
    while (end > from && text.charCodeAt(end - 1) === 0x20) end--
    put(values, key, value + text.slice(from, end))
    k = next
  }
  return { values }
}
