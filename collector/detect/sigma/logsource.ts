/**
 * Logsource routing: an event is evaluated only by the rules whose Sigma logsource it belongs to,
 * which keeps a Sysmon rule from firing on a Security event and cuts the candidates per event.
 * The mapping is data (resources/sigma/logsources.yaml, format in its header) so operators can
 * edit it; this file parses it and builds the router.
 */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { fieldReader, type CompiledRule, type EventRecord } from './compile'
import type { SigmaLogsource } from './parse'

type Scalar = string | number | boolean
/** One field's condition, normalised: `values` any-of (lowercased strings), `exists`, `not`. */
type FieldCondition = { field: string; values?: string[]; exists?: boolean; not?: string[] }
/** All fields must hold. */
export type Alternative = FieldCondition[]
export type ProductMapping = {
  match: Alternative[]
  category: Record<string, Alternative[]>
  service: Record<string, Alternative[]>
}
/** `products[GENERIC]` holds the YAML's `generic` section: rules that name no product. */
export type LogsourceMapping = { products: Record<string, ProductMapping> }
export const GENERIC = ''
export type MappingResult = { ok: true; mapping: LogsourceMapping } | { ok: false; errors: string[] }

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isScalar = (value: unknown): value is Scalar =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
const norm = (value: Scalar): string => String(value).toLowerCase()

const scalars = (value: unknown): string[] | undefined => {
  const list = Array.isArray(value) ? (value as unknown[]) : [value]
  return list.every(isScalar) && list.length > 0 ? list.map(norm) : undefined
}

const parseCondition = (field: string, value: unknown, where: string, errors: string[]): FieldCondition => {
  if (!isObj(value)) {
    const values = scalars(value)
    if (values === undefined) errors.push(`${where}.${field}: expected a scalar or a list of scalars`)
    return { field, values: values ?? [] }
  }
  const condition: FieldCondition = { field }
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'exists' && typeof inner === 'boolean') condition.exists = inner
    else if (key === 'not' && scalars(inner) !== undefined) condition.not = scalars(inner)
    else errors.push(`${where}.${field}: unknown condition '${key}'`)
  }
  return condition
}

const parseAlternatives = (value: unknown, where: string, errors: string[]): Alternative[] => {
  if (!Array.isArray(value) || value.length === 0) {
    errors.push(`${where}: expected a non-empty list of alternatives`)
    return []
  }
  return (value as unknown[]).flatMap((alternative, index) => {
    if (!isObj(alternative) || Object.keys(alternative).length === 0) {
      errors.push(`${where}[${index}]: expected a map of field conditions`)
      return []
    }
    return [
      Object.entries(alternative).map(([field, inner]) =>
        parseCondition(field, inner, `${where}[${index}]`, errors),
      ),
    ]
  })
}

const parseSection = (value: unknown, where: string, errors: string[]): Record<string, Alternative[]> => {
  if (value === undefined || value === null) return {}
  if (!isObj(value)) {
    errors.push(`${where}: expected a map`)
    return {}
  }
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [
      name,
      parseAlternatives(inner, `${where}.${name}`, errors),
    ]),
  )
}

/** Mapping YAML -> mapping, or every error found (with its path in the document). */
export const parseLogsourceMapping = (text: string): MappingResult => {
  const errors: string[] = []
  let document: unknown
  try {
    document = parse(text)
  } catch (error) {
    return { ok: false, errors: [`not YAML: ${(error as Error).message}`] }
  }
  if (!isObj(document) || !isObj(document.products)) return { ok: false, errors: ['no products map'] }
  const products: Record<string, ProductMapping> = {}
  // `generic`: the categories and services of rules that name no product (webserver, proxy…).
  if (document.generic !== undefined) {
    if (!isObj(document.generic)) errors.push('generic: expected a map')
    else {
      if ('match' in document.generic)
        errors.push('generic.match: generic entries match by their own conditions')
      products[GENERIC] = {
        match: [],
        category: parseSection(document.generic.category, 'generic.category', errors),
        service: parseSection(document.generic.service, 'generic.service', errors),
      }
    }
  }
  for (const [product, value] of Object.entries(document.products)) {
    if (!isObj(value)) {
      errors.push(`products.${product}: expected a map`)
      continue
    }
    if (product === GENERIC) {
      errors.push('products: a product needs a name (rules without one are mapped under generic)')
      continue
    }
    products[product] = {
      match: parseAlternatives(value.match, `products.${product}.match`, errors),
      category: parseSection(value.category, `products.${product}.category`, errors),
      service: parseSection(value.service, `products.${product}.service`, errors),
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, mapping: { products } }
}

export const DEFAULT_MAPPING_PATH = new URL('../../../resources/sigma/logsources.yaml', import.meta.url)

export const loadLogsourceMapping = (path: string | URL = DEFAULT_MAPPING_PATH): MappingResult =>
  parseLogsourceMapping(readFileSync(path, 'utf8'))

type Test = (event: EventRecord) => boolean

const fieldTest = (condition: FieldCondition): Test => {
  const read = fieldReader(condition.field)
  const prefix = `${condition.field}.`
  // A dotted name also finds flat keys below it (log.syslog -> log.syslog.appname).
  const present = (event: EventRecord): unknown => {
    const value = read(event)
    if (value !== undefined || !condition.field.includes('.')) return value
    for (const key in event) if (key.startsWith(prefix) && Object.hasOwn(event, key)) return true
    return undefined
  }
  const { values, exists, not } = condition
  return (event) => {
    const value = present(event)
    const has = value !== undefined && value !== null
    if (exists !== undefined && has !== exists) return false
    if (!has) return exists === false
    if (values === undefined && not === undefined) return true
    if (!isScalar(value)) return false
    const text = norm(value)
    if (values !== undefined && !values.includes(text)) return false
    return not === undefined || !not.includes(text)
  }
}

const alternativesTest = (alternatives: Alternative[]): Test => {
  // No alternatives: the generic section, which every event belongs to.
  if (alternatives.length === 0) return () => true
  const tests = alternatives.map((alternative) => {
    const fields = alternative.map(fieldTest)
    return (event: EventRecord) => fields.every((test) => test(event))
  })
  return (event) => tests.some((test) => test(event))
}

/** An alternative of plain Channel/EventID equalities: answered by a table lookup. */
const indexable = (alternative: Alternative): boolean =>
  alternative.some((c) => c.field === 'Channel') &&
  alternative.every(
    (c) =>
      (c.field === 'Channel' || c.field === 'EventID') &&
      c.values !== undefined &&
      c.exists === undefined &&
      c.not === undefined,
  )

export type UnmappedLogsource = { logsource: SigmaLogsource; reason: string; rules: string[] }
export type RouterOptions = {
  /** Rules with an unmapped logsource: 'product' (default) sees all events of its product, 'skip' none. */
  unmapped?: 'product' | 'skip'
}
export type Router = {
  candidates: (event: EventRecord) => CompiledRule[]
  /** The logsource entry names an event belongs to, e.g. `windows/category/process_creation`. */
  classify: (event: EventRecord) => { products: string[]; entries: string[] }
  unmapped: UnmappedLogsource[]
}

const entryName = (product: string, kind: 'category' | 'service', name: string): string =>
  `${product}/${kind}/${name}`

export const logsourceKey = (logsource: SigmaLogsource): string =>
  `${logsource.product ?? ''}|${logsource.category ?? ''}|${logsource.service ?? ''}`

/** Indexes the rules by logsource once; `candidates(event)` is a table lookup plus a few tests. */
export const createRouter = (
  rules: CompiledRule[],
  mapping: LogsourceMapping,
  options: RouterOptions = {},
): Router => {
  const unmappedMode = options.unmapped ?? 'product'
  // Entries: Channel -> EventID ('*' for any) -> entry names; the rest tested one by one.
  const table = new Map<string, Map<string, string[]>>()
  const tested: { name: string; test: Test }[] = []
  const productTests: { product: string; test: Test }[] = []
  const addIndexed = (name: string, alternative: Alternative): void => {
    const channels = alternative.find((c) => c.field === 'Channel')?.values ?? []
    const ids = alternative.find((c) => c.field === 'EventID')?.values ?? ['*']
    for (const channel of channels) {
      const byId = table.get(channel) ?? new Map<string, string[]>()
      table.set(channel, byId)
      for (const id of ids) byId.set(id, [...(byId.get(id) ?? []), name])
    }
  }
  for (const [product, entry] of Object.entries(mapping.products)) {
    productTests.push({ product, test: alternativesTest(entry.match) })
    for (const kind of ['category', 'service'] as const)
      for (const [name, alternatives] of Object.entries(entry[kind])) {
        const full = entryName(product, kind, name)
        const general = alternatives.filter((alternative) => !indexable(alternative))
        for (const alternative of alternatives) if (indexable(alternative)) addIndexed(full, alternative)
        if (general.length > 0) tested.push({ name: full, test: alternativesTest(general) })
      }
  }

  // Buckets: the entries a rule needs (all of them) or, for product-wide rules, `product:<name>`.
  const buckets = new Map<string, { needs: string[]; rules: CompiledRule[] }>()
  const unmapped = new Map<string, UnmappedLogsource>()
  const bucket = (needs: string[], rule: CompiledRule): void => {
    const key = needs.join('&')
    const found = buckets.get(key) ?? { needs, rules: [] }
    found.rules.push(rule)
    buckets.set(key, found)
  }
  for (const compiled of rules) {
    const { product, category, service } = compiled.rule.logsource
    // A rule naming no product is routed by the generic section's categories and services.
    const productMapping = mapping.products[product ?? GENERIC]
    const needs: string[] = []
    const missing: string[] = []
    if (product !== undefined && productMapping === undefined) missing.push(`product '${product}'`)
    for (const [kind, name] of [
      ['category', category],
      ['service', service],
    ] as const) {
      if (name === undefined) continue
      if (productMapping?.[kind][name] !== undefined) needs.push(entryName(product ?? '', kind, name))
      else if (productMapping !== undefined || product === undefined) missing.push(`${kind} '${name}'`)
    }
    if (missing.length === 0 && (product !== undefined || needs.length > 0)) {
      bucket(needs.length > 0 ? needs : [`product:${product}`], compiled)
      continue
    }
    const key = logsourceKey(compiled.rule.logsource)
    // Without a product mapping there is no telling which events are the product's.
    const fallback = product !== undefined && productMapping !== undefined && unmappedMode === 'product'
    const what = product === undefined ? `no product and ${missing.join(', ')}` : missing.join(', ')
    const reason = `${what} not mapped: ${fallback ? `evaluated on every ${product} event` : 'not evaluated'}`
    const entry = unmapped.get(key) ?? { logsource: compiled.rule.logsource, reason, rules: [] }
    entry.rules.push(compiled.rule.file)
    unmapped.set(key, entry)
    if (fallback) bucket([`product:${product ?? ''}`], compiled)
  }

  const classify = (event: EventRecord): { products: string[]; entries: string[] } => {
    const products = productTests.filter((p) => p.test(event)).map((p) => p.product)
    const entries: string[] = []
    const channel = event.Channel
    if (isScalar(channel)) {
      const byId = table.get(norm(channel))
      if (byId !== undefined) {
        const id = event.EventID
        entries.push(...(byId.get('*') ?? []))
        if (isScalar(id)) entries.push(...(byId.get(norm(id)) ?? []))
      }
    }
    for (const { name, test } of tested) if (!entries.includes(name) && test(event)) entries.push(name)
    return { products, entries }
  }

  // Most events share a handful of (products, entries) signatures: cache the rule list per one.
  // `candidates` computes what classify does, with numbers and marks instead of name lists, and
  // tests an entry only when its product matched (any other entry would be dropped anyway).
  const productNames = productTests.map((p) => p.product)
  const entryNames: string[] = []
  const entryIds = new Map<string, number>()
  const entryId = (name: string): number => {
    let id = entryIds.get(name)
    if (id === undefined) {
      id = entryNames.length
      entryIds.set(name, id)
      entryNames.push(name)
    }
    return id
  }
  const idTable = new Map<string, Map<string, number[]>>()
  for (const [channel, byId] of table) {
    const numeric = new Map<string, number[]>()
    for (const [id, names] of byId) numeric.set(id, names.map(entryId))
    idTable.set(channel, numeric)
  }
  const testedIds = tested.map(({ name, test }) => ({ id: entryId(name), test }))
  const entryProduct = entryNames.map((name) => productNames.indexOf(name.slice(0, name.indexOf('/'))))
  const productMark = new Uint32Array(productNames.length)
  const entryMark = new Uint32Array(entryNames.length)
  let generation = 0
  const found: number[] = []
  const take = (ids: number[] | undefined): void => {
    if (ids === undefined) return
    for (const id of ids) {
      const product = entryProduct[id]!
      if (product < 0 || productMark[product] !== generation || entryMark[id] === generation) continue
      entryMark[id] = generation
      found.push(id)
    }
  }
  const cache = new Map<string, CompiledRule[]>()
  const candidates = (event: EventRecord): CompiledRule[] => {
    generation = (generation + 1) >>> 0
    if (generation === 0) {
      productMark.fill(0)
      entryMark.fill(0)
      generation = 1
    }
    found.length = 0
    let signature = ''
    for (let p = 0; p < productTests.length; p++)
      if (productTests[p]!.test(event)) {
        productMark[p] = generation
        signature += `p${p},`
      }
    const channel = event.Channel
    if (isScalar(channel)) {
      const byId = idTable.get(norm(channel))
      if (byId !== undefined) {
        const id = event.EventID
        take(byId.get('*'))
        if (isScalar(id)) take(byId.get(norm(id)))
      }
    }
    for (const { id, test } of testedIds) {
      const product = entryProduct[id]!
      if (product < 0 || productMark[product] !== generation || entryMark[id] === generation) continue
      if (test(event)) {
        entryMark[id] = generation
        found.push(id)
      }
    }
    found.sort((a, b) => a - b)
    for (const id of found) signature += `${id},`
    const cached = cache.get(signature)
    if (cached !== undefined) return cached
    const have = new Set([
      ...found.map((id) => entryNames[id]!),
      ...productNames.filter((_, p) => productMark[p] === generation).map((product) => `product:${product}`),
    ])
    const result = [...buckets.values()]
      .filter((b) => b.needs.every((need) => have.has(need)))
      .flatMap((b) => b.rules)
    cache.set(signature, result)
    return result
  }

  return { candidates, classify, unmapped: [...unmapped.values()] }
}
