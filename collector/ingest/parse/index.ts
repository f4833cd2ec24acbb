export { detectAndParse, parseMessage } from './auto'
export { parseCef } from './cef'
export { parseJson } from './json'
export { parseKv } from './kv'
export { parseLeef } from './leef'
export { parseRfc3164 } from './rfc3164'
export { parseRfc5424 } from './rfc5424'
export { FORMATS } from './types'
export type {
  CefHeader,
  Format,
  FormatOption,
  LeefHeader,
  ParseFailure,
  ParseOptions,
  ParseResult,
  ParsedMessage,
  StructuredData,
} from './types'
