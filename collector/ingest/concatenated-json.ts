/**
 * Splits `{…}{…} {…}\n{…}` (Splunk HEC's event body: JSON objects one after another, with or
 * without whitespace between them) into the text of each value. Strings are skipped properly, so
 * braces inside them do not count. Parsing each piece is the caller's job.
 */
export type JsonPiece = { text: string; offset: number }
export type SplitResult = { pieces: JsonPiece[]; error: string | null }

export const splitConcatenatedJson = (body: string): SplitResult => {
  const pieces: JsonPiece[] = []
  let i = 0
  const n = body.length
  while (i < n) {
    const c = body.charCodeAt(i)
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff) {
      i++
      continue
    }
    if (c !== 0x7b /* { */) {
      return { pieces, error: `expected '{' at character ${i + 1}, found ${JSON.stringify(body[i])}` }
    }
    const start = i
    let depth = 0
    let inString = false
    for (; i < n; i++) {
      const ch = body.charCodeAt(i)
      if (inString) {
        if (ch === 0x5c /* \ */) i++
        else if (ch === 0x22 /* " */) inString = false
      } else if (ch === 0x22) inString = true
      else if (ch === 0x7b || ch === 0x5b) depth++
      else if (ch === 0x7d || ch === 0x5d) {
        depth--
        if (depth === 0) break
      }
    }
    if (i >= n) return { pieces, error: `unterminated JSON object starting at character ${start + 1}` }
    i++
    pieces.push({ text: body.slice(start, i), offset: start })
  }
  return { pieces, error: null }
}
