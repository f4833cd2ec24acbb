/**
 * Aho-Corasick over ASCII literals, compiled to a dense DFA: one table lookup per character of the
 * scanned text. Matching is as if the text were lowercased first (`text.toLowerCase()`), without
 * building that copy: ASCII letters fold to lowercase, and of all other characters only U+0130 and
 * U+212A lowercase to something holding ASCII ('i̇' and 'k'), so they are folded here by hand; any
 * other character can be part of no literal and sends the automaton back to its root.
 */

/** Characters of the literals get classes 1..n; class 0 is every other character. */
const classesOf = (literals: readonly string[]): { classOf: Uint8Array; count: number } => {
  const classOf = new Uint8Array(128)
  let count = 1
  for (const literal of literals)
    for (let i = 0; i < literal.length; i++) {
      const c = literal.charCodeAt(i)
      if (c >= 128) throw new Error(`aho-corasick: non-ASCII literal ${JSON.stringify(literal)}`)
      if (c >= 0x41 && c <= 0x5a)
        throw new Error(`aho-corasick: literal not lowercase ${JSON.stringify(literal)}`)
      if (classOf[c] === 0) classOf[c] = count++
    }
  // Uppercase ASCII letters share their lowercase letter's class.
  for (let c = 0x41; c <= 0x5a; c++) classOf[c] = classOf[c + 32]!
  return { classOf, count }
}

export type LiteralScanner = {
  /** Calls `found(id)` for every occurrence of every literal (ids are indexes into the literals). */
  scan(text: string, found: (id: number) => void): void
  /** True when any literal occurs in the text (stops at the first). */
  has(text: string): boolean
  states: number
}

/** The DFA in typed arrays. Built apart from the scan closures so they do not keep the trie alive. */
type Automaton = {
  classOf: Uint8Array
  width: number
  states: number
  /** Row offsets: table[state + class] is the next state's row offset. */
  table: Int32Array
  /** Row offsets from here on belong to states that end a literal (theirs or by a failure link). */
  reporting: number
  report: Int32Array
  fail: Int32Array
  /** Row number -> the trie state that `report`, `fail` and `starts` are indexed by. */
  original: Int32Array
  starts: Int32Array
  ids: Int32Array
}

const buildAutomaton = (literals: readonly string[]): Automaton => {
  const { classOf, count: width } = classesOf(literals)
  // The trie, as growable arrays; transitions filled into the DFA table after the failure links.
  const trie: number[][] = [new Array<number>(width).fill(-1)]
  const own: number[][] = [[]]
  literals.forEach((literal, id) => {
    if (literal.length === 0) throw new Error('aho-corasick: empty literal')
    let state = 0
    for (let i = 0; i < literal.length; i++) {
      const cls = classOf[literal.charCodeAt(i)]!
      let next = trie[state]![cls]!
      if (next < 0) {
        next = trie.length
        trie.push(new Array<number>(width).fill(-1))
        own.push([])
        trie[state]![cls] = next
      }
      state = next
    }
    own[state]!.push(id)
  })
  const states = trie.length
  const delta = new Int32Array(states * width)
  const fail = new Int32Array(states)
  // The nearest state along the failure chain (itself included) that ends a literal, or -1.
  const report = new Int32Array(states).fill(-1)
  const queue: number[] = []
  for (let cls = 1; cls < width; cls++) {
    const next = trie[0]![cls]!
    if (next >= 0) {
      delta[cls] = next
      fail[next] = 0
      queue.push(next)
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!
    report[state] = own[state]!.length > 0 ? state : report[fail[state]!]!
    for (let cls = 1; cls < width; cls++) {
      const next = trie[state]![cls]!
      if (next >= 0) {
        fail[next] = delta[fail[state]! * width + cls]!
        delta[state * width + cls] = next
        queue.push(next)
      } else delta[state * width + cls] = delta[fail[state]! * width + cls]!
    }
  }
  // Renumbered for the scan loop: states that report come last, so "reports" is one comparison
  // (`state >= reporting`), and table entries hold next-state row offsets (state * width).
  const order: number[] = []
  for (let state = 0; state < states; state++) if (report[state]! < 0) order.push(state)
  const firstReporting = order.length
  for (let state = 0; state < states; state++) if (report[state]! >= 0) order.push(state)
  const renamed = new Int32Array(states)
  order.forEach((old, now) => (renamed[old] = now))
  const table = new Int32Array(states * width)
  for (let now = 0; now < states; now++) {
    const old = order[now]!
    for (let cls = 0; cls < width; cls++)
      table[now * width + cls] = renamed[delta[old * width + cls]!]! * width
  }
  const reporting = firstReporting * width
  // The literal ids each state ends, flat: ids[starts[state]] .. ids[starts[state + 1]].
  const starts = new Int32Array(states + 1)
  for (let state = 0; state < states; state++) starts[state + 1] = starts[state]! + own[state]!.length
  const ids = Int32Array.from(own.flat())
  const original = Int32Array.from(order)
  return { classOf, width, states, table, reporting, report, fail, original, starts, ids }
}

/** Literals must be lowercase ASCII and non-empty; duplicates are allowed (each id reports). */
export const createScanner = (literals: readonly string[]): LiteralScanner => {
  const { classOf, width, states, table, reporting, report, fail, original, starts, ids } =
    buildAutomaton(literals)
  const emit = (offset: number, found: (id: number) => void): void => {
    for (let at = report[original[offset / width]!]!; at > 0; at = report[fail[at]!]!)
      for (let i = starts[at]!; i < starts[at + 1]!; i++) found(ids[i]!)
  }
  const iClass = classOf[0x69]!
  const kClass = classOf[0x6b]!
  // Lowercasing never shortens ASCII, and U+0130 is the only character it lengthens ('i' + U+0307,
  // of which a literal can use the 'i' alone): a text shorter than every literal holds none.
  let shortest = Infinity
  for (const literal of literals) shortest = Math.min(shortest, literal.length)
  const scan = (text: string, found: (id: number) => void): void => {
    if (text.length < shortest) return
    let state = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c < 128) {
        state = table[state + classOf[c]!]!
      } else if (c === 0x212a) {
        state = table[state + kClass]! // KELVIN SIGN lowercases to 'k'
      } else if (c === 0x130) {
        // LATIN CAPITAL LETTER I WITH DOT ABOVE lowercases to 'i' + U+0307 (which resets)
        state = table[state + iClass]!
        if (state >= reporting) emit(state, found)
        state = 0
        continue
      } else {
        state = 0
        continue
      }
      if (state >= reporting) emit(state, found)
    }
  }
  const has = (text: string): boolean => {
    if (text.length < shortest) return false
    let state = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c < 128) state = table[state + classOf[c]!]!
      else if (c === 0x212a) state = table[state + kClass]!
      else if (c === 0x130) {
        if (table[state + iClass]! >= reporting) return true
        state = 0
        continue
      } else {
        state = 0
        continue
      }
      if (state >= reporting) return true
    }
    return false
  }
  return { scan, has, states }
}
