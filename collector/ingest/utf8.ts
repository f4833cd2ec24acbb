/**
 * Offset of the first byte that makes `buf` invalid UTF-8 (overlong forms, surrogates and code
 * points past U+10FFFF included), or -1 when it is valid. Buffer#toString would silently turn
 * such bytes into U+FFFD; a collector must say so instead.
 */
export const firstInvalidUtf8 = (buf: Uint8Array): number => {
  const n = buf.length
  let i = 0
  while (i < n) {
    const b = buf[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    let min: number
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80]
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800]
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000]
    else return i
    let cp = b & (0x3f >> need)
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k]
      if (c === undefined || (c & 0xc0) !== 0x80) return i
      cp = (cp << 6) | (c & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i
    i += need + 1
  }
  return -1
}
