/**
 * Field aliases (resources/sigma/fields.yaml): the names Sigma rules use for facts that some
 * sources store under other names, e.g. Security 4688's NewProcessName for Sysmon's Image.
 */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import type { EventRecord } from './compile'

type Scalar = string | number | boolean
/** `values`: equal to one (case-insensitively); `exists`: present or absent. */
type When = { field: string; values?: string[]; exists?: boolean }
export type FieldAlias = { when: When[]; fields: [to: string, from: string][] }
export type AliasesResult = { ok: true; aliases: FieldAlias[] } | { ok: false; errors: string[] }

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isScalar = (value: unknown): value is Scalar =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'

export const parseFieldAliases = (text: string): AliasesResult => {
  const errors: string[] = []
  let doc: unknown
  try {
    doc = parse(text)
  } catch (error) {
    return { ok: false, errors: [`invalid YAML: ${(error as Error).message.split('\n')[0]}`] }
  }
  const list = isObj(doc) ? doc.aliases : undefined
  if (!Array.isArray(list)) return { ok: false, errors: ['expected `aliases:` with a list of entries'] }
  const aliases = (list as unknown[]).flatMap((entry, index): FieldAlias[] => {
    const where = `aliases[${index}]`
    if (!isObj(entry) || !isObj(entry.when) || !isObj(entry.fields)) {
      errors.push(`${where}: expected a map with \`when\` and \`fields\` maps`)
      return []
    }
    const when = Object.entries(entry.when).map(([field, value]): When => {
      if (isObj(value)) {
        if (typeof value.exists === 'boolean' && Object.keys(value).length === 1)
          return { field, exists: value.exists }
        errors.push(`${where}.when.${field}: the only condition map is {exists: true|false}`)
        return { field, exists: true }
      }
      const values = (Array.isArray(value) ? (value as unknown[]) : [value]).filter(isScalar)
      if (values.length === 0) errors.push(`${where}.when.${field}: expected a scalar or a list of scalars`)
      return { field, values: values.map((v) => String(v).toLowerCase()) }
    })
    const fields = Object.entries(entry.fields).flatMap(([to, from]): [string, string][] => {
      if (typeof from === 'string') return [[to, from]]
      errors.push(`${where}.fields.${to}: expected the stored field's name`)
      return []
    })
    return [{ when, fields }]
  })
  return errors.length > 0 ? { ok: false, errors } : { ok: true, aliases }
}

export const DEFAULT_ALIASES_PATH = new URL('../../../resources/sigma/fields.yaml', import.meta.url)

export const loadFieldAliases = (path: string | URL = DEFAULT_ALIASES_PATH): AliasesResult => {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    return { ok: false, errors: [`cannot read ${String(path)}: ${(error as Error).message}`] }
  }
  const result = parseFieldAliases(text)
  return result.ok ? result : { ok: false, errors: result.errors.map((e) => `${String(path)}: ${e}`) }
}

const matches = (alias: FieldAlias, record: EventRecord): boolean =>
  alias.when.every(({ field, values, exists }) => {
    const value = record[field]
    if (exists !== undefined) return (value !== undefined) === exists
    return isScalar(value) && values !== undefined && values.includes(String(value).toLowerCase())
  })

/** The record with the aliases that apply to it; the record itself when none does. */
export const applyAliases = (aliases: readonly FieldAlias[], record: EventRecord): EventRecord => {
  let out: EventRecord | null = null
  for (const alias of aliases) {
    if (!matches(alias, record)) continue
    for (const [to, from] of alias.fields) {
      if (to in record || !(from in record)) continue
      out ??= { ...record }
      out[to] = record[from]
    }
  }
  return out ?? record
}
