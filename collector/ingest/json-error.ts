/**
 * Where a JSON text first goes wrong, and what was expected there. JSON.parse's own message
 * carries no position on some Node versions, so on the (rare) failure path we scan again.
 */
export type JsonErrorAt = { offset: number; line: number; column: number; reason: string }

class Stop extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason)
  }
}

export const locateJsonError = (text: string): JsonErrorAt | null => {
  let i = 0
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const found = (): string => (i >= text.length ? 'end of input' : JSON.stringify(text[i]))
  const expect = (what: string): never => {
    throw new Stop(i, `expected ${what}, found ${found()}`)
  }
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length
    else expect('a value')
  }
  const string = (): void => {
    i++ // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        i++
        return
      }
      if (c < 0x20) throw new Stop(i, 'control character in string (escape it)')
      if (c === 0x5c) {
        const next = text[i + 1]
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Stop(i, 'bad \\u escape')
          i += 6
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2
        else throw new Stop(i, 'bad escape in string')
      } else i++
    }
    throw new Stop(i, 'unterminated string')
  }
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (!match) expect('a value')
    i += match![0].length
  }
  const value = (): void => {
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      ws()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        ws()
        if (text[i] !== '"') expect('a "quoted" key')
        string()
        ws()
        if (text[i] !== ':') expect("':'")
        i++
        value()
        ws()
        if (text[i] === ',') i++
        else if (text[i] === '}') {
          i++
          return
        } else expect("',' or '}'")
      }
    } else if (c === '[') {
      i++
      ws()
      if (text[i] === ']') {
        i++
        return
      }
      for (;;) {
        value()
        ws()
        if (text[i] === ',') i++
        else if (text[i] === ']') {
          i++
          return
        } else expect("',' or ']'")
      }
    } else if (c === '"') string()
    else if (c === 't') literal('true')
    else if (c === 'f') literal('false')
    else if (c === 'n') literal('null')
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number()
    else expect('a value')
  }
  try {
    value()
    ws()
    if (i < text.length) expect('end of input')
    return null
  } catch (error) {
    if (!(error instanceof Stop)) throw error
    let line = 1
    let lineStart = 0
    for (let k = 0; k < error.offset; k++) {
      if (text.charCodeAt(k) === 10) {
        line++
        lineStart = k + 1
      }
    }
    return { offset: error.offset, line, column: error.offset - lineStart + 1, reason: error.reason }
  }
}
