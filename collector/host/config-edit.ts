import { isDeepStrictEqual } from 'node:util'
import {
  Document,
  isMap,
  isCollection,
  isScalar,
  parseDocument,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml'

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

const STRING_OPTIONS = { lineWidth: 0, collectionStyle: 'flow', flowCollectionPadding: false } as const

/** A value as YAML on one line (flow style for lists and maps), or null when it needs several. */
const oneLine = (value: unknown): string | null => {
  const text = new Document(value).toString(STRING_OPTIONS).trimEnd()
  return text.includes('\n') ? null : text
}

/** Deep-merges plain objects (a map given for a map sets its keys), anything else replaces. */
const merge = (base: unknown, value: unknown): unknown =>
  isPlainObject(base) && isPlainObject(value)
    ? Object.fromEntries([
        ...Object.entries(base),
        ...Object.entries(value).map(([k, v]) => [k, merge(base[k], v)] as const),
      ])
    : value

type Edit = { start: number; end: number; text: string }

const lineEnd = (text: string, from: number): number => {
  const nl = text.indexOf('\n', from)
  return nl < 0 ? text.length : nl
}

const lineStart = (text: string, at: number): number => text.lastIndexOf('\n', at - 1) + 1

/**
 * The text edits that set `key` to `value` in a block map, leaving every other byte alone: the
 * value replaced where it stands (a trailing comment stays), or a new line after the map's last
 * entry. Maps given for an existing block map are merged key by key. Null when the layout is one
 * these edits do not cover (the caller then re-serialises the document).
 */
const editsFor = (text: string, map: YAMLMap, key: string, value: unknown): Edit[] | null => {
  if (map.flow) return null
  const pair = map.items.find((item) => isScalar(item.key) && String(item.key.value) === key) as
    Pair<Node, Node | null> | undefined
  if (pair) {
    const node = pair.value
    if (isPlainObject(value) && isMap(node) && !node.flow) {
      const edits: Edit[] = []
      for (const [k, v] of Object.entries(value)) {
        const inner = editsFor(text, node, k, v)
        if (!inner) return null
        edits.push(...inner)
      }
      return edits
    }
    const merged = isPlainObject(value) && isMap(node) ? merge(node.toJSON(), value) : value
    const written = oneLine(merged)
    if (written === null) return null
    if (!node?.range) {
      // `key:` with nothing after it.
      const keyEnd = pair.key.range?.[1]
      if (keyEnd === undefined) return null
      const colon = text.indexOf(':', keyEnd)
      if (colon < 0 || colon > lineEnd(text, keyEnd)) return null
      return [{ start: colon + 1, end: colon + 1, text: ` ${written}` }]
    }
    const [start, valueEnd] = node.range
    // A block collection starts on the next line: put the flow value after the colon instead.
    if (isCollection(node) && !node.flow) {
      const keyEnd = pair.key.range?.[1]
      if (keyEnd === undefined) return null
      const colon = text.indexOf(':', keyEnd)
      return [{ start: colon + 1, end: valueEnd, text: ` ${written}\n` }]
    }
    // A trailing comment keeps its column where the new value leaves room for it.
    const gap = /^( +)#/.exec(text.slice(valueEnd, lineEnd(text, valueEnd)))
    if (gap) {
      const pad = Math.max(1, valueEnd - start + gap[1]!.length - written.length)
      return [{ start, end: valueEnd + gap[1]!.length, text: written + ' '.repeat(pad) }]
    }
    return [{ start, end: valueEnd, text: written }]
  }
  const last = map.items.at(-1)
  const first = map.items[0]
  const firstKey = first?.key as Node | undefined
  const lastEnd = ((last?.value as Node | null | undefined)?.range ??
    (last?.key as Node | undefined)?.range)?.[1]
  if (!firstKey?.range || lastEnd === undefined) return null
  const indent = firstKey.range[0] - lineStart(text, firstKey.range[0])
  const written = oneLine(value)
  if (written === null || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return null
  // After the last entry's line (a block collection's value already ends with its newline).
  const at = text[lastEnd - 1] === '\n' ? lastEnd - 1 : lineEnd(text, lastEnd)
  return [{ start: at, end: at, text: `\n${' '.repeat(indent)}${key}: ${written}` }]
}

export type ConfigEdit = { text: string; value: unknown }

/**
 * config.yaml with the keys of `values` set under `section` (e.g. `listeners.syslog_tcp`), the
 * user's comments and layout kept: values are replaced in place where possible; otherwise the
 * document is edited with setIn and printed again (comments kept, spacing normalised). Returns
 * the new text and what it parses to. Throws on a file that is not YAML.
 */
export const editConfigText = (
  text: string,
  section: readonly string[],
  values: Record<string, unknown>,
): ConfigEdit => {
  const doc = parseDocument(text)
  const yamlError = doc.errors[0]
  if (yamlError) throw new Error(`invalid YAML: ${yamlError.message.split('\n')[0]}`)
  const nested = section.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), values)
  const expected = merge(doc.toJS() ?? {}, nested)

  // In place, when the section is a block map in the file.
  const target = section.length === 0 ? doc.contents : doc.getIn(section, true)
  if (isMap(target)) {
    const edits: Edit[] = []
    let covered = true
    for (const [key, value] of Object.entries(values)) {
      const more = editsFor(text, target, key, value)
      if (!more) {
        covered = false
        break
      }
      edits.push(...more)
    }
    if (covered) {
      let edited = text
      for (const edit of edits.sort((a, b) => b.start - a.start))
        edited = edited.slice(0, edit.start) + edit.text + edited.slice(edit.end)
      const check = parseDocument(edited)
      if (check.errors.length === 0 && isDeepStrictEqual(check.toJS() ?? {}, expected))
        return { text: edited, value: expected }
    }
  }

  // Otherwise through the document model: missing maps made, comments kept.
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as unknown as typeof doc.contents
  for (let depth = 1; depth <= section.length; depth++) {
    const at = section.slice(0, depth)
    if (!isMap(doc.getIn(at, true))) doc.setIn(at, doc.createNode({}))
  }
  const setDeep = (path: string[], value: unknown): void => {
    const previous = doc.getIn(path, true)
    if (isPlainObject(value) && isMap(previous)) {
      for (const [k, v] of Object.entries(value)) setDeep([...path, k], v)
      return
    }
    const node = doc.createNode(value)
    if (isCollection(previous) && isCollection(node)) node.flow = previous.flow ?? false
    doc.setIn(path, node)
  }
  for (const [key, value] of Object.entries(values)) setDeep([...section, key], value)
  return { text: doc.toString({ lineWidth: 0 }), value: expected }
}
