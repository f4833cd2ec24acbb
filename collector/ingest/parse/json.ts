import { locateJsonError } from '../json-error'
import { blankMessage, fail } from './shared'
import type { ParseResult } from './types'

const LABEL = 'json'

const typeName = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value

/** One JSON object on one line; its members become `fields`. */
export const parseJson = (line: string): ParseResult => {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    let at: ReturnType<typeof locateJsonError>
    try {
      at = locateJsonError(line)
    } catch {
      // locateJsonError recurses per nesting level; absurd nesting overflows the stack.
      return fail(LABEL, line, 0, 'invalid JSON (nested too deep to locate the error)')
    }
    return at ? fail(LABEL, line, at.offset, at.reason) : fail(LABEL, line, 0, 'invalid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail(LABEL, line, 0, `expected a JSON object, got ${typeName(value)}`)
  return { ...blankMessage('json'), fields: value as Record<string, unknown> }
}
