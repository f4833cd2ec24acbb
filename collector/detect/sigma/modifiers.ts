/**
 * Sigma values and modifiers -> value tests. Everything that depends only on the rule happens
 * here, once: wildcards become anchored regexes or lowercase literals, encodings are applied,
 * CIDRs become masks. A test then looks at one event value and allocates nothing for strings.
 */
import { Buffer } from 'node:buffer'
import { createScanner, type LiteralScanner } from './aho-corasick'

/** A rule problem found while compiling; `unsupported` means valid Sigma we do not run yet. */
export class SigmaCompileError extends Error {
  constructor(
    readonly reason: string,
    readonly unsupported = false,
  ) {
    super(reason)
  }
}

// ---------------------------------------------------------------------------------------------
// Sigma strings: literal text with `*` and `?` wildcards, `\` escaping `*`, `?` and `\` only.

export const STAR = Symbol('*')
export const ONE = Symbol('?')
/** A Windows option dash after |windash: `-`, `/`, en dash, em dash or horizontal bar. */
export const DASH = Symbol('-')
export type PatternPart = string | typeof STAR | typeof ONE | typeof DASH
const DASH_CLASS = '[-/\u2013\u2014\u2015]'
export type Pattern = PatternPart[]

export const parsePattern = (raw: string): Pattern => {
  const parts: Pattern = []
  let literal = ''
  const flush = (): void => {
    if (literal) parts.push(literal)
    literal = ''
  }
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!
    const next = raw[i + 1]
    if (c === '\\' && (next === '*' || next === '?' || next === '\\')) {
      literal += next
      i++
    } else if (c === '*' || c === '?') {
      flush()
      parts.push(c === '*' ? STAR : ONE)
    } else literal += c
  }
  flush()
  return parts
}

/** The pattern as plain text, wildcards taken literally: what the encoding modifiers work on. */
export const plainText = (pattern: Pattern): string =>
  pattern.map((p) => (p === STAR ? '*' : p === ONE ? '?' : p === DASH ? '-' : p)).join('')

const hasWildcards = (pattern: Pattern): boolean => pattern.some((p) => typeof p !== 'string')

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/**
 * Regex source for a pattern, anchored except where it starts or ends with `*`: `^.*x.*$` and `x`
 * match the same strings, and the unanchored form spares the engine a backtracking scan.
 * `*` and `?` cross newlines (the `s` flag), as command lines can hold them.
 */
export const patternSource = (pattern: Pattern): string => {
  let first = 0
  let last = pattern.length
  while (first < last && pattern[first] === STAR) first++
  while (last > first && pattern[last - 1] === STAR) last--
  if (first === last) return first > 0 ? '' : '^$'
  const body = pattern
    .slice(first, last)
    .map((p) => (p === STAR ? '.*' : p === ONE ? '.' : p === DASH ? DASH_CLASS : escapeRegex(p)))
    .join('')
  return (first > 0 ? '' : '^') + body + (last < pattern.length ? '' : '$')
}

/** A string test for a pattern: plain equality where possible, else one precompiled regex. */
export const stringTest = (pattern: Pattern, cased: boolean): ((value: string) => boolean) => {
  if (!hasWildcards(pattern)) {
    const text = plainText(pattern)
    if (cased) return (value) => value === text
    const lower = text.toLowerCase()
    // Lowercasing never shortens a string, so an ASCII literal can reject on length first.
    // eslint-disable-next-line no-control-regex
    if (/^[\x00-\x7f]*$/.test(lower))
      return (value) => value.length === lower.length && value.toLowerCase() === lower
    return (value) => value.toLowerCase() === lower
  }
  const regex = new RegExp(patternSource(pattern), cased ? 's' : 'is')
  return (value) => regex.test(value)
}

// ---------------------------------------------------------------------------------------------
// Values as they flow through the transforming modifiers, in rule order.

export type SigmaValue =
  | { type: 'string'; pattern: Pattern }
  | { type: 'bytes'; bytes: Buffer }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' }

export const sigmaValue = (raw: unknown): SigmaValue => {
  if (raw === null || raw === undefined) return { type: 'null' }
  if (typeof raw === 'string') return { type: 'string', pattern: parsePattern(raw) }
  if (typeof raw === 'number') return { type: 'number', value: raw }
  if (typeof raw === 'boolean') return { type: 'boolean', value: raw }
  throw new SigmaCompileError(`a value must be a string, number, boolean or null, not ${JSON.stringify(raw)}`)
}

const asPattern = (value: SigmaValue, modifier: string): Pattern => {
  if (value.type === 'string') return value.pattern
  if (value.type === 'number' || value.type === 'boolean') return [String(value.value)]
  if (value.type === 'bytes') return [value.bytes.toString('latin1')]
  throw new SigmaCompileError(`|${modifier} needs a value, not null`)
}

const asBytes = (value: SigmaValue, modifier: string): Buffer =>
  value.type === 'bytes' ? value.bytes : Buffer.from(plainText(asPattern(value, modifier)), 'utf8')

// pySigma's windash: a dash or slash that starts an option (`-x`, ` /x`), not one inside a word.
const OPTION_DASH = /\B[-/]\b/g

/**
 * Every option dash becomes a DASH part matching any of the five variants: the same set as
 * pySigma's expansion into every combination, without building 5^n strings.
 */
const windash = (pattern: Pattern): Pattern => {
  const out: Pattern = []
  for (const part of pattern) {
    if (typeof part !== 'string') {
      out.push(part)
      continue
    }
    let last = 0
    for (const match of part.matchAll(OPTION_DASH)) {
      if (match.index > last) out.push(part.slice(last, match.index))
      out.push(DASH)
      last = match.index + 1
    }
    if (last < part.length) out.push(part.slice(last))
  }
  return out
}

/** The three base64 encodings of `bytes` at each offset, trimmed to the characters that never vary. */
export const base64Offsets = (bytes: Buffer): string[] => {
  const starts = [0, 2, 3]
  const ends = [undefined, -3, -2]
  return [0, 1, 2].map((i) => {
    const encoded = Buffer.concat([Buffer.alloc(i, 0x20), bytes]).toString('base64')
    return encoded.slice(starts[i], ends[(bytes.length + i) % 3])
  })
}

const utf16be = (text: string): Buffer => {
  const le = Buffer.from(text, 'utf16le')
  return le.swap16()
}

/**
 * Applies one transforming modifier to every alternative of every value. Each outer item is one
 * value of the rule; its inner list holds alternatives (windash, base64offset) that are always ORed.
 */
export const transform = (modifier: string, values: SigmaValue[][]): SigmaValue[][] => {
  const each = (fn: (value: SigmaValue) => SigmaValue[]): SigmaValue[][] =>
    values.map((alternatives) => alternatives.flatMap(fn))
  const str = (text: string): SigmaValue => ({ type: 'string', pattern: [text] })
  switch (modifier) {
    case 'contains':
    case 'startswith':
    case 'endswith':
      return each((value) => {
        const pattern = asPattern(value, modifier)
        const front: Pattern = modifier !== 'startswith' && pattern[0] !== STAR ? [STAR] : []
        const back: Pattern = modifier !== 'endswith' && pattern[pattern.length - 1] !== STAR ? [STAR] : []
        return [{ type: 'string', pattern: [...front, ...pattern, ...back] }]
      })
    case 'windash':
      return each((value) => [{ type: 'string', pattern: windash(asPattern(value, modifier)) }])
    case 'base64':
      return each((value) => [str(asBytes(value, modifier).toString('base64'))])
    case 'base64offset':
      return each((value) => base64Offsets(asBytes(value, modifier)).map(str))
    case 'wide':
    case 'utf16le':
      return each((value) => [
        { type: 'bytes', bytes: Buffer.from(plainText(asPattern(value, modifier)), 'utf16le') },
      ])
    case 'utf16be':
      return each((value) => [{ type: 'bytes', bytes: utf16be(plainText(asPattern(value, modifier))) }])
    case 'utf16':
      return each((value) => [
        {
          type: 'bytes',
          bytes: Buffer.concat([
            Buffer.from([0xff, 0xfe]),
            Buffer.from(plainText(asPattern(value, modifier)), 'utf16le'),
          ]),
        },
      ])
    default:
      throw new SigmaCompileError(`unknown modifier |${modifier}`)
  }
}

/** Placeholder name -> the Sigma strings it stands for (ORed), as the operator configures them. */
export type Placeholders = Record<string, readonly string[]>

const PLACEHOLDER = /\\%|%([^%\s]+)%/g

/**
 * |expand: each `%name%` in the literal text becomes every configured value of `name` (they may
 * hold wildcards); `\%` is a plain percent sign. Several placeholders give every combination.
 */
export const expandPlaceholders = (values: SigmaValue[][], placeholders: Placeholders): SigmaValue[][] =>
  values.map((alternatives) =>
    alternatives.flatMap((value) => {
      let variants: Pattern[] = [[]]
      for (const part of asPattern(value, 'expand')) {
        if (typeof part !== 'string') {
          variants = variants.map((v) => [...v, part])
          continue
        }
        let last = 0
        for (const match of part.matchAll(PLACEHOLDER)) {
          const before = part.slice(last, match.index)
          last = match.index + match[0].length
          if (match[1] === undefined) {
            variants = variants.map((v) => [...v, before + '%'])
            continue
          }
          const replacements = placeholders[match[1]]
          if (!replacements || replacements.length === 0)
            throw new SigmaCompileError(`placeholder %${match[1]}% is not configured`, true)
          variants = variants.flatMap((v) => replacements.map((r) => [...v, before, ...parsePattern(r)]))
        }
        const rest = part.slice(last)
        variants = variants.map((v) => [...v, rest])
      }
      // Merge neighbouring literal pieces so literal fast paths still apply.
      return variants.map((variant): SigmaValue => {
        const merged: Pattern = []
        for (const part of variant) {
          const prev = merged[merged.length - 1]
          if (typeof part === 'string' && part === '') continue
          if (typeof part === 'string' && typeof prev === 'string') merged[merged.length - 1] = prev + part
          else merged.push(part)
        }
        return { type: 'string', pattern: merged }
      })
    }),
  )

export const TRANSFORMS = new Set([
  'contains',
  'startswith',
  'endswith',
  'windash',
  'base64',
  'base64offset',
  'wide',
  'utf16le',
  'utf16be',
  'utf16',
])

// ---------------------------------------------------------------------------------------------
// Tests of one event value (never an array: the caller tries each element).

export type ValueTest = (value: unknown) => boolean

export const equalsTest = (value: SigmaValue, cased: boolean): ValueTest => {
  switch (value.type) {
    case 'null':
      return (v) => v === null || v === undefined || v === ''
    case 'number': {
      const text = String(value.value)
      return (v) => v === value.value || (typeof v === 'string' && v === text)
    }
    case 'boolean': {
      const text = String(value.value)
      return (v) => v === value.value || (typeof v === 'string' && v.toLowerCase() === text)
    }
    case 'bytes': {
      const test = stringTest([value.bytes.toString('latin1')], cased)
      return (v) => typeof v === 'string' && test(v)
    }
    case 'string': {
      // EVTX renders an empty Data element as null, so `''` in a rule has to find it too.
      if (value.pattern.length === 0) return (v) => v === '' || v === null
      const test = stringTest(value.pattern, cased)
      return (v) =>
        typeof v === 'string' ? test(v) : (typeof v === 'number' || typeof v === 'boolean') && test(String(v))
    }
  }
}

type Literal = { text: string; where: 'whole' | 'contains' | 'start' | 'end' }

/** A pattern that is one literal, maybe between stars: tested with string methods, not a regex. */
const asLiteral = (pattern: Pattern): Literal | null => {
  const [a, b, c] = pattern
  if (pattern.length === 1 && typeof a === 'string') return { text: a, where: 'whole' }
  if (pattern.length === 3 && a === STAR && typeof b === 'string' && c === STAR)
    return { text: b, where: 'contains' }
  if (pattern.length === 2 && typeof a === 'string' && b === STAR) return { text: a, where: 'start' }
  if (pattern.length === 2 && a === STAR && typeof b === 'string') return { text: b, where: 'end' }
  return null
}

const MANY_NEEDLES = 8
// eslint-disable-next-line no-control-regex
const isAscii = (text: string): boolean => /^[\x00-\x7f]*$/.test(text)

/**
 * One test for values that are ORed. Literals (plain, contains, startswith, endswith) are checked
 * with string methods on one lowercased copy of the event value; other patterns share one
 * alternation regex. Rules list thousands of hashes under one field, and an alternation that
 * large is slower than as many `includes`.
 */
export const anyOfTest = (values: SigmaValue[], cased: boolean): ValueTest => {
  const whole = new Set<string>()
  const contains: string[] = []
  const starts: string[] = []
  const ends: string[] = []
  const sources: string[] = []
  const others: ValueTest[] = []
  for (const value of values) {
    const literal = value.type === 'string' && value.pattern.length > 0 ? asLiteral(value.pattern) : null
    if (literal) {
      const text = cased ? literal.text : literal.text.toLowerCase()
      if (literal.where === 'whole') whole.add(text)
      else (literal.where === 'contains' ? contains : literal.where === 'start' ? starts : ends).push(text)
    } else if (value.type === 'string' && value.pattern.length > 0) sources.push(patternSource(value.pattern))
    else others.push(equalsTest(value, cased))
  }
  if (values.length === 1) return equalsTest(values[0]!, cased) // one value: its own fast path
  const regex =
    sources.length > 0 ? new RegExp(sources.map((s) => `(?:${s})`).join('|'), cased ? 's' : 'is') : null
  // Many ASCII needles: one Aho-Corasick pass over the text instead of an includes per needle. It
  // folds case as toLowerCase does, so it runs on the text itself. Built on first use: most rules
  // of a big rule set never see an event that gets this far.
  const scan = !cased && contains.length >= MANY_NEEDLES && contains.every((t) => t !== '' && isAscii(t))
  let scanner: LiteralScanner | null = null
  const stringMatch = (text: string): boolean => {
    if (regex !== null && regex.test(text)) return true
    if (scan && (scanner ??= createScanner(contains)).has(text)) return true
    const folded = cased ? text : text.toLowerCase()
    if (whole.has(folded)) return true
    if (!scan) for (const needle of contains) if (folded.includes(needle)) return true
    for (const needle of starts) if (folded.startsWith(needle)) return true
    for (const needle of ends) if (folded.endsWith(needle)) return true
    return false
  }
  return (v) => {
    if (
      typeof v === 'string'
        ? stringMatch(v)
        : (typeof v === 'number' || typeof v === 'boolean') && stringMatch(String(v))
    )
      return true
    for (const test of others) if (test(v)) return true
    return false
  }
}

/**
 * The Python-only spellings: `\A` and `\Z` anchors, `(?P<name>` groups, `{,n}` quantifiers. Escape
 * pairs are read whole, so the `\\A` of `\\AppData` (a backslash, then "AppData") stays as it is.
 */
export const pythonToJsRegex = (source: string): string => {
  let out = ''
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    if (c === '\\' && i + 1 < source.length) {
      const next = source[i + 1]!
      out += next === 'A' ? '^' : next === 'Z' ? '$' : c + next
      i++
    } else if (source.startsWith('(?P<', i)) {
      out += '(?<'
      i += 3
    } else if (c === '{' && /^\{,\d+\}/.test(source.slice(i, i + 12))) {
      out += '{0' // Python's {,n} is {0,n}; JavaScript would read it as literal text
    } else out += c
  }
  return out
}

/** Python-flavoured regexes as SigmaHQ writes them, adapted to JavaScript where they differ. */
export const regexTest = (raw: unknown, flags: string): ValueTest => {
  if (typeof raw !== 'string') throw new SigmaCompileError('|re needs a string')
  let source = raw
  let extra = ''
  const inline = /^\(\?([imsx]+)\)/.exec(source)
  if (inline) {
    if (inline[1]!.includes('x'))
      throw new SigmaCompileError('regex verbose flag (?x) is not supported', true)
    extra = inline[1]!
    source = source.slice(inline[0].length)
  }
  source = pythonToJsRegex(source)
  const all = [...new Set(flags + extra)].join('')
  let regex: RegExp
  try {
    regex = new RegExp(source, all)
  } catch (error) {
    throw new SigmaCompileError(`invalid regex: ${(error as Error).message}`)
  }
  return (v) => (typeof v === 'string' ? regex.test(v) : typeof v === 'number' && regex.test(String(v)))
}

const toNumber = (v: unknown): number =>
  typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN

export const compareTest = (op: 'lt' | 'lte' | 'gt' | 'gte', raw: unknown): ValueTest => {
  const bound = toNumber(raw)
  if (Number.isNaN(bound)) throw new SigmaCompileError(`|${op} needs a number, not ${JSON.stringify(raw)}`)
  switch (op) {
    case 'lt':
      return (v) => toNumber(v) < bound
    case 'lte':
      return (v) => toNumber(v) <= bound
    case 'gt':
      return (v) => toNumber(v) > bound
    case 'gte':
      return (v) => toNumber(v) >= bound
  }
}

// CIDR: IPv4 as a 32-bit number, IPv6 as a BigInt, each compared under the prefix mask.

const parseIpv4 = (text: string): number | null => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (!m) return null
  let out = 0
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i])
    if (octet > 255) return null
    out = out * 256 + octet
  }
  return out
}

export const parseIpv6 = (input: string): bigint | null => {
  let text = input.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  // A trailing dotted IPv4 (::ffff:1.2.3.4) is two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4) {
    const n = parseIpv4(v4[1]!)
    if (n === null) return null
    text = text.slice(0, v4.index) + ((n >>> 16) & 0xffff).toString(16) + ':' + (n & 0xffff).toString(16)
  }
  const halves = text.split('::')
  if (halves.length > 2) return null
  const groups = (half: string | undefined): string[] => (half ? half.split(':') : [])
  const head = groups(halves[0])
  const tail = groups(halves[1])
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]
  let out = 0n
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null
    out = (out << 16n) | BigInt(parseInt(group, 16))
  }
  return out
}

export const cidrTest = (raw: unknown): ValueTest => {
  if (typeof raw !== 'string') throw new SigmaCompileError('|cidr needs a string')
  const [address = '', prefixText] = raw.split('/')
  const v4 = parseIpv4(address)
  if (v4 !== null) {
    const prefix = prefixText === undefined ? 32 : Number(prefixText)
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new SigmaCompileError(`bad CIDR ${raw}`)
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
    const net = (v4 & mask) >>> 0
    return (v) => {
      if (typeof v !== 'string') return false
      const ip = parseIpv4(v)
      return ip !== null && (ip & mask) >>> 0 === net
    }
  }
  const v6 = parseIpv6(address)
  const prefix = prefixText === undefined ? 128 : Number(prefixText)
  if (v6 === null || !Number.isInteger(prefix) || prefix < 0 || prefix > 128)
    throw new SigmaCompileError(`bad CIDR ${raw}`)
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(128 - prefix)
  const net = v6 & mask
  return (v) => {
    if (typeof v !== 'string' || !v.includes(':')) return false
    const ip = parseIpv6(v)
    return ip !== null && (ip & mask) === net
  }
}

export const TIME_PARTS = ['minute', 'hour', 'day', 'week', 'month', 'year'] as const
export type TimePart = (typeof TIME_PARTS)[number]

/** ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday). */
const isoWeek = (date: Date): number => {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()))
  const day = d.getUTCDay() || 7
  d.setUTCDate(d.getUTCDate() + 4 - day)
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1)
  return Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7)
}

/** The UTC part of a timestamp value (ISO text or epoch milliseconds), or NaN. */
export const timePart = (part: TimePart, v: unknown): number => {
  const time = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN
  if (Number.isNaN(time)) return NaN
  const date = new Date(time)
  switch (part) {
    case 'minute':
      return date.getUTCMinutes()
    case 'hour':
      return date.getUTCHours()
    case 'day':
      return date.getUTCDate()
    case 'week':
      return isoWeek(date)
    case 'month':
      return date.getUTCMonth() + 1
    case 'year':
      return date.getUTCFullYear()
  }
}
