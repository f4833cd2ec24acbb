/**
 * The Sigma condition grammar, by hand: a tokenizer and a recursive-descent parser.
 *   or   := and ('or' and)*
 *   and  := not ('and' not)*
 *   not  := 'not' not | atom
 *   atom := '(' or ')' | ('1' | 'all') 'of' (pattern | 'them') | identifier
 * Keywords are case-insensitive; identifiers may hold `*` wildcards only after `of`.
 */
export type ConditionNode =
  | { kind: 'id'; name: string }
  | { kind: 'not'; arg: ConditionNode }
  | { kind: 'and'; args: ConditionNode[] }
  | { kind: 'or'; args: ConditionNode[] }
  | { kind: 'of'; quantifier: 'one' | 'all'; pattern: string | null } // null: them

/** `column` is 1-based within the condition text. */
export class ConditionError extends Error {
  constructor(
    readonly reason: string,
    readonly column: number,
    readonly unsupported = false,
  ) {
    super(`${reason} at column ${column}`)
  }
}

type Token = { type: 'lparen' | 'rparen' | 'word' | 'pipe' | 'end'; text: string; column: number }

const WORD = /[\w*.-]/

export const tokenize = (text: string): Token[] => {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c === '(' ? 'lparen' : 'rparen', text: c, column: i + 1 })
      i++
    } else if (c === '|') {
      // What follows is an aggregation, a grammar of its own that the parser reports as unsupported.
      tokens.push({ type: 'pipe', text: c, column: i + 1 })
      break
    } else if (WORD.test(c)) {
      const start = i
      while (i < text.length && WORD.test(text[i]!)) i++
      tokens.push({ type: 'word', text: text.slice(start, i), column: start + 1 })
    } else throw new ConditionError(`unexpected character ${JSON.stringify(c)}`, i + 1)
  }
  tokens.push({ type: 'end', text: '', column: text.length + 1 })
  return tokens
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', 'all'])

export const parseCondition = (text: string): ConditionNode => {
  const tokens = tokenize(text)
  let pos = 0
  const peek = (): Token => tokens[pos]!
  const isWord = (token: Token, word: string): boolean =>
    token.type === 'word' && token.text.toLowerCase() === word
  const describe = (token: Token): string => (token.type === 'end' ? 'the end' : `'${token.text}'`)

  const parseOr = (): ConditionNode => {
    const args = [parseAnd()]
    while (isWord(peek(), 'or')) {
      pos++
      args.push(parseAnd())
    }
    return args.length === 1 ? args[0]! : { kind: 'or', args }
  }
  const parseAnd = (): ConditionNode => {
    const args = [parseNot()]
    while (isWord(peek(), 'and')) {
      pos++
      args.push(parseNot())
    }
    return args.length === 1 ? args[0]! : { kind: 'and', args }
  }
  const parseNot = (): ConditionNode => {
    if (isWord(peek(), 'not')) {
      pos++
      return { kind: 'not', arg: parseNot() }
    }
    return parseAtom()
  }
  const parseAtom = (): ConditionNode => {
    const token = peek()
    if (token.type === 'lparen') {
      pos++
      const inner = parseOr()
      const close = peek()
      if (close.type !== 'rparen')
        throw new ConditionError(`expected ')', found ${describe(close)}`, close.column)
      pos++
      return inner
    }
    if (token.type === 'pipe')
      throw new ConditionError(
        'aggregations after | are not supported (use correlation rules)',
        token.column,
        true,
      )
    if (token.type !== 'word')
      throw new ConditionError(`expected a search identifier, found ${describe(token)}`, token.column)
    const lower = token.text.toLowerCase()
    const next = tokens[pos + 1]
    if (next && isWord(next, 'of')) {
      if (lower !== '1' && lower !== 'all')
        throw new ConditionError(`only '1 of' and 'all of' exist, found '${token.text} of'`, token.column)
      pos += 2
      const target = peek()
      if (target.type !== 'word' || (KEYWORDS.has(target.text.toLowerCase()) && !isWord(target, 'them')))
        throw new ConditionError(
          `expected a pattern or 'them' after 'of', found ${describe(target)}`,
          target.column,
        )
      pos++
      return {
        kind: 'of',
        quantifier: lower === '1' ? 'one' : 'all',
        pattern: isWord(target, 'them') ? null : target.text,
      }
    }
    if (KEYWORDS.has(lower)) throw new ConditionError(`unexpected '${token.text}'`, token.column)
    if (token.text.includes('*'))
      throw new ConditionError(`wildcards need '1 of' or 'all of': '${token.text}'`, token.column)
    pos++
    return { kind: 'id', name: token.text }
  }

  const node = parseOr()
  const rest = peek()
  if (rest.type === 'pipe')
    throw new ConditionError(
      'aggregations after | are not supported (use correlation rules)',
      rest.column,
      true,
    )
  if (rest.type !== 'end') throw new ConditionError(`unexpected ${describe(rest)}`, rest.column)
  return node
}
