// Validates STIX 2.1 bundles against the official OASIS JSON schemas, read at run time from a folder.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

export type StixSchemas = { validators: Map<string, ValidateFunction>; dir: string }
export type StixValidation = { valid: boolean; errors: string[] }

const FOLDERS = ['common', 'sdos', 'sros', 'observables'] as const
// Objects that are not SDOs, SROs or SCOs but still carry their own schema in common/.
const COMMON_OBJECT_TYPES = ['marking-definition', 'language-content', 'extension-definition'] as const

/** Loads every schema under dir/{common,sdos,sros,observables}, registered by its $id so relative $refs resolve. */
export function loadStixSchemas(dir: string): StixSchemas {
  // The OASIS schemas use "definitions", non-standard keywords and regexes with escapes the u flag rejects.
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false })
  addFormats(ajv)
  // ajv-formats has no idn-hostname (domain-name values): labels of any script, no spaces, at most 253 long.
  ajv.addFormat('idn-hostname', (v: string) => v.length <= 253 && /^[^\s.][^\s]*$/u.test(v))
  const byType = new Map<string, string>()
  for (const folder of FOLDERS) {
    for (const file of readdirSync(join(dir, folder))
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const schema = JSON.parse(readFileSync(join(dir, folder, file), 'utf8')) as { $id?: string }
      if (typeof schema.$id !== 'string') throw new Error(`${folder}/${file}: schema has no $id`)
      ajv.addSchema(schema)
      const type = file.slice(0, -'.json'.length)
      if (folder !== 'common' || (COMMON_OBJECT_TYPES as readonly string[]).includes(type))
        byType.set(type, schema.$id)
    }
  }
  const validators = new Map<string, ValidateFunction>()
  for (const [type, id] of byType) {
    const validate = ajv.getSchema(id)
    if (!validate) throw new Error(`schema ${id} did not compile`)
    validators.set(type, validate)
  }
  return { validators, dir }
}

function describe(where: string, e: ErrorObject): string {
  const path = e.instancePath === '' ? '' : ` at ${e.instancePath}`
  const extra =
    e.keyword === 'enum' && 'allowedValues' in e.params
      ? `: ${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)}`
      : e.keyword === 'additionalProperties' && 'additionalProperty' in e.params
        ? `: ${String((e.params as { additionalProperty: unknown }).additionalProperty)}`
        : ''
  const message =
    e.keyword === 'oneOf' || e.keyword === 'anyOf' ? 'matches none of the forms the schema allows' : e.message
  return `${where}${path} ${message ?? e.keyword}${extra}`
}

/** A failed oneOf/anyOf reports every branch's reasons too; keep the one line that says no form matched. */
function collapseBranches(errors: ErrorObject[]): ErrorObject[] {
  const combinators = errors
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    .map((e) => `${e.schemaPath}/`)
  const unique = new Set<string>()
  return errors.filter((e) => {
    if (combinators.some((c) => e.schemaPath.startsWith(c))) return false
    const key = `${e.instancePath} ${e.schemaPath}`
    return unique.has(key) ? false : (unique.add(key), true)
  })
}

/**
 * Each object checked against its type's schema; also the envelope and that ids are unique. Custom object types
 * (x-…) have no schema: rejected unless options.customTypes is 'skip' (e.g. MITRE's x-mitre-tactic).
 */
export function validateStixBundle(
  bundle: unknown,
  schemas: StixSchemas,
  options: { customTypes?: 'reject' | 'skip' } = {},
): StixValidation {
  const errors: string[] = []
  if (bundle === null || typeof bundle !== 'object')
    return { valid: false, errors: ['bundle is not an object'] }
  const b = bundle as { type?: unknown; id?: unknown; objects?: unknown }
  if (b.type !== 'bundle') errors.push(`bundle type must be "bundle", got ${JSON.stringify(b.type)}`)
  if (typeof b.id !== 'string' || !/^bundle--[0-9a-f-]{36}$/.test(b.id))
    errors.push('bundle id must be bundle--<uuid>')
  if (!Array.isArray(b.objects))
    return { valid: false, errors: [...errors, 'bundle objects must be an array'] }
  const ids = new Map<string, number>()
  b.objects.forEach((object: unknown, index) => {
    if (object === null || typeof object !== 'object') {
      errors.push(`objects[${index}] is not an object`)
      return
    }
    const o = object as { type?: unknown; id?: unknown }
    const type = typeof o.type === 'string' ? o.type : '?'
    const where = `objects[${index}] ${type} ${typeof o.id === 'string' ? o.id : '(no id)'}`
    if (typeof o.id === 'string') {
      // Versions of one object (same id, different modified) may share a bundle.
      const m = (object as { modified?: unknown }).modified
      const key = `${o.id}@${typeof m === 'string' ? m : ''}`
      if (ids.has(key)) errors.push(`${where} duplicates objects[${ids.get(key)}]`)
      else ids.set(key, index)
    }
    const validate = schemas.validators.get(type)
    if (!validate && options.customTypes === 'skip' && type.startsWith('x-')) return
    if (!validate) {
      errors.push(
        `${where}: no STIX 2.1 schema for type "${type}" (custom types need an extension definition)`,
      )
      return
    }
    if (!validate(object))
      for (const e of collapseBranches(validate.errors ?? [])) errors.push(describe(where, e))
  })
  return { valid: errors.length === 0, errors }
}
