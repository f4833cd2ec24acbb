// A checker for the subset of STIX patterning (STIXPattern.g4) that our exporter emits: one observation
// expression of comparisons joined by AND/OR, object paths with dotted or quoted components, string literals.
const OBJECT_TYPE = /^[a-z][a-z0-9-]*[a-z0-9]/
const IDENTIFIER = /^[a-z_][a-z0-9_]*/i
const OPERATORS = ['ISSUBSET', 'ISSUPERSET', 'MATCHES', 'LIKE', '!=', '='] as const

/** null when the pattern is well formed, else what is wrong and where. */
export function checkStixPattern(pattern: string): string | null {
  let pos = 0
  const rest = (): string => pattern.slice(pos)
  const skipSpace = (): void => {
    while (pos < pattern.length && /\s/.test(pattern[pos] ?? '')) pos++
  }
  const fail = (what: string): string => `${what} at offset ${pos} of ${JSON.stringify(pattern)}`

  const quoted = (): string | null => {
    if (pattern[pos] !== "'") return fail("expected '")
    pos++
    while (pos < pattern.length) {
      const c = pattern[pos]
      if (c === '\\') {
        const next = pattern[pos + 1]
        if (next !== "'" && next !== '\\') return fail("only \\' and \\\\ may be escaped in a string")
        pos += 2
      } else if (c === "'") {
        pos++
        return null
      } else pos++
    }
    return fail('unterminated string')
  }

  const objectPath = (): string | null => {
    const type = OBJECT_TYPE.exec(rest())
    if (!type) return fail('expected an object type')
    pos += type[0].length
    if (pattern[pos] !== ':') return fail("expected ':' after the object type")
    pos++
    const first = IDENTIFIER.exec(rest())
    if (!first) return fail('expected a property name')
    pos += first[0].length
    for (;;) {
      if (pattern[pos] === '.') {
        pos++
        if (pattern[pos] === "'") {
          const error = quoted()
          if (error) return error
        } else {
          const id = IDENTIFIER.exec(rest())
          if (!id) return fail('expected a property name after .')
          pos += id[0].length
        }
      } else if (pattern[pos] === '[') {
        const index = /^\[(\d+|\*)\]/.exec(rest())
        if (!index) return fail('expected [n] or [*]')
        pos += index[0].length
      } else return null
    }
  }

  const comparison = (): string | null => {
    skipSpace()
    const error = objectPath()
    if (error) return error
    skipSpace()
    if (rest().startsWith('NOT ')) pos += 4
    const op = OPERATORS.find((o) => rest().startsWith(o))
    if (!op) return fail('expected a comparison operator (=, !=, ISSUBSET, ISSUPERSET, LIKE, MATCHES)')
    pos += op.length
    skipSpace()
    const literal = /^-?\d+(\.\d+)?/.exec(rest())
    if (literal && op !== 'LIKE' && op !== 'MATCHES') {
      pos += literal[0].length
      return null
    }
    return quoted()
  }

  skipSpace()
  if (pattern[pos] !== '[') return fail("expected '['")
  pos++
  for (;;) {
    const error = comparison()
    if (error) return error
    skipSpace()
    const join = /^(AND|OR)\s/.exec(rest())
    if (!join) break
    pos += join[0].length
  }
  if (pattern[pos] !== ']') return fail("expected ']'")
  pos++
  skipSpace()
  return pos === pattern.length ? null : fail('unexpected text after the observation')
}
