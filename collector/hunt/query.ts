/**
 * The hunt filter bar's language, Kibana/Lucene-like, parsed by hand so errors can say where:
 *
 *   host:ws01                      field equals (case-insensitive)
 *   process:*\powershell.exe       wildcards: * any run, ? one character (unquoted values only)
 *   mimikatz                       a bare word: full-text over the message and the original JSON
 *   "Invoke-Mimikatz -Dump"        a quoted phrase: literal, no wildcards; \" and \\ inside
 *   a AND b, a OR b, NOT a, a b    implicit AND; NOT binds tightest, then AND, then OR; ( )
 *   dst_port:[1 TO 1024]           ranges, inclusive [ ] or exclusive { }, * for an open end
 *   EventID:>=4624                 comparisons > >= < <=
 *   user:(alice OR bob)            several values for one field
 *   _exists_:CommandLine           the field has a value (also `field:*`)
 *
 * Values end at whitespace or `)`; colons inside a value are kept (C:\Windows\…). A backslash
 * escapes the next special character (`\ ( ) : " * ?`), otherwise it is an ordinary character,
 * so Windows paths need no doubling.
 */

/** Literal text, or a wildcard: `*` any run, `?` one character. */
export type Wild = { wild: '*' | '?' }
export type PatternPart = string | Wild
export const isWild = (part: PatternPart): part is Wild => typeof part !== 'string'

export type QueryNode =
  | { type: 'all' }
  | { type: 'and'; children: QueryNode[] }
  | { type: 'or'; children: QueryNode[] }
  | { type: 'not'; child: QueryNode }
  | {
      type: 'term'
      /** null: full-text */
      field: string | null
      value: string
      /** Unquoted * or ? present: `pattern` holds the value with wildcards marked. */
      wildcard: boolean
      /** The value as parts: literal text and wildcards, so escapes are never ambiguous. */
      pattern: PatternPart[]
      phrase: boolean
    }
  | {
      type: 'range'
      field: string
      lo: string | null
      hi: string | null
      loInclusive: boolean
      hiInclusive: boolean
    }
  | { type: 'exists'; field: string }

/** A query that does not parse: where (0-based character position) and what was expected. */
export class QuerySyntaxError extends Error {
  constructor(
    readonly position: number,
    readonly expected: string,
  ) {
    super(`position ${position}: ${expected}`)
    this.name = 'QuerySyntaxError'
  }
}

const FIELD_NAME = /^[A-Za-z_@][\w.@-]*$/
const ESCAPABLE = new Set(['\\', '(', ')', ':', '"', '*', '?', '[', ']', '{', '}', ' '])
/** Characters that end an unquoted word. */
const isBreak = (ch: string): boolean =>
  ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '(' || ch === ')'

type Word = {
  start: number
  end: number
  /** Raw text as typed. */
  raw: string
  parts: PatternPart[]
  wildcard: boolean
  text: string
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'TO'])

class Parser {
  private pos = 0
  constructor(private readonly src: string) {}

  parse(): QueryNode {
    this.skipSpace()
    if (this.pos >= this.src.length) return { type: 'all' }
    const node = this.parseOr(null)
    this.skipSpace()
    if (this.pos < this.src.length) {
      if (this.src[this.pos] === ')')
        throw new QuerySyntaxError(this.pos, 'unexpected ")" without a matching "("')
      throw new QuerySyntaxError(this.pos, 'expected AND, OR or the end of the query')
    }
    return node
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? '')) this.pos++
  }

  /** The next keyword (AND/OR/NOT, case-sensitive like Lucene) without consuming it. */
  private peekKeyword(): string | null {
    this.skipSpace()
    for (const kw of ['AND', 'OR', 'NOT']) {
      if (this.src.startsWith(kw, this.pos)) {
        const after = this.src[this.pos + kw.length]
        if (after === undefined || /\s/.test(after) || after === '(' || (kw === 'NOT' && after === '"'))
          return kw
      }
    }
    if (this.src.startsWith('&&', this.pos)) return 'AND'
    if (this.src.startsWith('||', this.pos)) return 'OR'
    return null
  }

  private consumeKeyword(kw: string): void {
    this.skipSpace()
    if (this.src.startsWith('&&', this.pos) || this.src.startsWith('||', this.pos)) this.pos += 2
    else this.pos += kw.length
  }

  private parseOr(field: string | null): QueryNode {
    const children = [this.parseAnd(field)]
    while (this.peekKeyword() === 'OR') {
      this.consumeKeyword('OR')
      this.expectOperand('OR')
      children.push(this.parseAnd(field))
    }
    return children.length === 1 ? (children[0] as QueryNode) : { type: 'or', children }
  }

  private parseAnd(field: string | null): QueryNode {
    const children = [this.parseNot(field)]
    for (;;) {
      const kw = this.peekKeyword()
      if (kw === 'AND') {
        this.consumeKeyword('AND')
        this.expectOperand('AND')
        children.push(this.parseNot(field))
        continue
      }
      if (kw === 'OR') break
      this.skipSpace()
      if (this.pos >= this.src.length || this.src[this.pos] === ')') break
      children.push(this.parseNot(field)) // implicit AND
    }
    return children.length === 1 ? (children[0] as QueryNode) : { type: 'and', children }
  }

  private expectOperand(after: string): void {
    this.skipSpace()
    if (this.pos >= this.src.length || this.src[this.pos] === ')')
      throw new QuerySyntaxError(this.pos, `expected a term after "${after}"`)
    const kw = this.peekKeyword()
    if (kw === 'AND' || kw === 'OR')
      throw new QuerySyntaxError(this.pos, `expected a term after "${after}", not ${kw}`)
  }

  private parseNot(field: string | null): QueryNode {
    if (this.peekKeyword() === 'NOT') {
      this.consumeKeyword('NOT')
      this.expectOperand('NOT')
      return { type: 'not', child: this.parseNot(field) }
    }
    return this.parsePrimary(field)
  }

  private parsePrimary(field: string | null): QueryNode {
    this.skipSpace()
    const ch = this.src[this.pos]
    if (ch === undefined) throw new QuerySyntaxError(this.pos, 'expected a term')
    if (ch === '(') {
      const open = this.pos
      this.pos++
      this.skipSpace()
      if (this.src[this.pos] === ')') throw new QuerySyntaxError(this.pos, 'expected a term inside "( )"')
      const inner = this.parseOr(field)
      this.skipSpace()
      if (this.src[this.pos] !== ')')
        throw new QuerySyntaxError(this.pos, `expected ")" to close the "(" at position ${open}`)
      this.pos++
      return inner
    }
    if (ch === ')') throw new QuerySyntaxError(this.pos, 'unexpected ")" without a matching "("')
    if (ch === '"') {
      const phrase = this.readPhrase()
      return field === null
        ? { type: 'term', field: null, value: phrase, wildcard: false, pattern: [phrase], phrase: true }
        : this.valueTerm(field, phrase, true, [phrase], false)
    }
    if (field !== null) return this.fieldValue(field, this.pos, `${field}:`)
    // A field name followed by ':'?
    const fieldMatch = /^[A-Za-z_@][\w.@-]*:/.exec(this.src.slice(this.pos, this.pos + 300))
    if (fieldMatch) {
      const name = fieldMatch[0].slice(0, -1)
      const at = this.pos
      this.pos += fieldMatch[0].length
      return this.fieldValue(name, at, fieldMatch[0])
    }
    const word = this.readWord(false)
    if (word.raw === '') throw new QuerySyntaxError(this.pos, 'expected a term')
    return {
      type: 'term',
      field: null,
      value: word.text,
      wildcard: word.wildcard,
      pattern: word.parts,
      phrase: false,
    }
  }

  /** After `field:`: a value, a phrase, a range, a comparison, a group, or `*`. */
  private fieldValue(name: string, at: number, shown: string): QueryNode {
    if (!FIELD_NAME.test(name)) throw new QuerySyntaxError(at, `expected a field name, not "${name}"`)
    const ch = this.src[this.pos]
    if (ch === undefined || /\s/.test(ch) || ch === ')')
      throw new QuerySyntaxError(this.pos, `expected a value after "${shown}"`)
    if (ch === '(') {
      const open = this.pos
      this.pos++
      this.skipSpace()
      if (this.src[this.pos] === ')')
        throw new QuerySyntaxError(this.pos, `expected a value inside "${shown}( )"`)
      if (this.pos >= this.src.length)
        throw new QuerySyntaxError(this.pos, `expected a value after "${shown}("`)
      const inner = this.parseOr(name)
      this.skipSpace()
      if (this.src[this.pos] !== ')')
        throw new QuerySyntaxError(this.pos, `expected ")" to close the "(" at position ${open}`)
      this.pos++
      return inner
    }
    if (ch === '"') {
      const phrase = this.readPhrase()
      return this.valueTerm(name, phrase, true, [phrase], false)
    }
    if (ch === '[' || ch === '{') return this.readRange(name)
    const cmp = /^(>=|<=|>|<)/.exec(this.src.slice(this.pos, this.pos + 2))
    if (cmp) {
      this.pos += cmp[0].length
      const valueAt = this.pos
      const word = this.readWord(true)
      if (word.raw === '') throw new QuerySyntaxError(valueAt, `expected a value after "${shown}${cmp[0]}"`)
      const op = cmp[0]
      return {
        type: 'range',
        field: name,
        lo: op.startsWith('>') ? word.text : null,
        hi: op.startsWith('<') ? word.text : null,
        loInclusive: op === '>=',
        hiInclusive: op === '<=',
      }
    }
    const word = this.readWord(true)
    if (word.raw === '') throw new QuerySyntaxError(this.pos, `expected a value after "${shown}"`)
    if (word.raw === '*') return { type: 'exists', field: name }
    if (name === '_exists_') {
      if (!FIELD_NAME.test(word.text))
        throw new QuerySyntaxError(word.start, 'expected a field name after "_exists_:"')
      return { type: 'exists', field: word.text }
    }
    return this.valueTerm(name, word.text, false, word.parts, word.wildcard)
  }

  private valueTerm(
    field: string,
    value: string,
    phrase: boolean,
    pattern: PatternPart[],
    wildcard: boolean,
  ): QueryNode {
    if (field === '_exists_') {
      if (!FIELD_NAME.test(value))
        throw new QuerySyntaxError(this.pos, 'expected a field name after "_exists_:"')
      return { type: 'exists', field: value }
    }
    return { type: 'term', field, value, wildcard, pattern, phrase }
  }

  private readPhrase(): string {
    const start = this.pos
    this.pos++ // opening quote
    let out = ''
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos] as string
      if (ch === '\\' && (this.src[this.pos + 1] === '"' || this.src[this.pos + 1] === '\\')) {
        out += this.src[this.pos + 1]
        this.pos += 2
        continue
      }
      if (ch === '"') {
        this.pos++
        return out
      }
      out += ch
      this.pos++
    }
    throw new QuerySyntaxError(
      this.src.length,
      `expected a closing quote for the phrase opened at position ${start}`,
    )
  }

  /** An unquoted word; colons are part of it (C:\Windows, 10.0.0.1:443). In value position a quote is an error. */
  private readWord(valuePosition: boolean): Word {
    const start = this.pos
    const parts: PatternPart[] = []
    let literal = ''
    let wildcard = false
    let text = ''
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos] as string
      if (isBreak(ch)) break
      if (ch === '"') {
        if (valuePosition || this.pos > start)
          throw new QuerySyntaxError(this.pos, 'expected whitespace before a quote (or escape it as \\")')
        break
      }
      if (ch === '\\') {
        const next = this.src[this.pos + 1]
        if (next !== undefined && ESCAPABLE.has(next)) {
          literal += next
          text += next
          this.pos += 2
          continue
        }
      }
      if (ch === '*' || ch === '?') {
        if (literal) parts.push(literal)
        literal = ''
        parts.push({ wild: ch })
        wildcard = true
        text += ch
        this.pos++
        continue
      }
      literal += ch
      text += ch
      this.pos++
    }
    if (literal) parts.push(literal)
    return { start, end: this.pos, raw: this.src.slice(start, this.pos), parts, wildcard, text }
  }

  private readRange(field: string): QueryNode {
    const open = this.src[this.pos] as string
    const openAt = this.pos
    this.pos++
    this.skipSpace()
    const lo = this.readBound()
    if (lo === undefined)
      throw new QuerySyntaxError(this.pos, `expected a lower bound after "${field}:${open}"`)
    this.skipSpace()
    if (!this.src.startsWith('TO', this.pos) || !/\s/.test(this.src[this.pos + 2] ?? ''))
      throw new QuerySyntaxError(this.pos, 'expected "TO" between the range bounds')
    this.pos += 2
    this.skipSpace()
    const hi = this.readBound()
    if (hi === undefined) throw new QuerySyntaxError(this.pos, 'expected an upper bound after "TO"')
    this.skipSpace()
    const close = this.src[this.pos]
    if (close !== ']' && close !== '}')
      throw new QuerySyntaxError(
        this.pos,
        `expected "]" or "}" to close the range opened at position ${openAt}`,
      )
    this.pos++
    return {
      type: 'range',
      field,
      lo: lo === '*' ? null : lo,
      hi: hi === '*' ? null : hi,
      loInclusive: open === '[',
      hiInclusive: close === ']',
    }
  }

  /** A range bound: a phrase or a word up to whitespace or a closing bracket; undefined if none. */
  private readBound(): string | undefined {
    if (this.src[this.pos] === '"') return this.readPhrase()
    const start = this.pos
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos] as string
      if (/\s/.test(ch) || ch === ']' || ch === '}') break
      this.pos++
    }
    const text = this.src.slice(start, this.pos)
    if (text === '' || KEYWORDS.has(text)) {
      this.pos = start
      return undefined
    }
    return text
  }
}

/** Parses the filter bar's text; throws QuerySyntaxError. Empty or blank text matches everything. */
export const parseQuery = (text: string): QueryNode => new Parser(text).parse()
