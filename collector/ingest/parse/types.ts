/**
 * The one result every message parser returns: exactly what `outpost parse` prints, one JSON
 * object per input line. Absent values are null, never undefined, so every key is always printed.
 */
export const FORMATS = ['rfc5424', 'rfc3164', 'cef', 'leef', 'json', 'kv'] as const
export type Format = (typeof FORMATS)[number]
export type FormatOption = 'auto' | Format

export type StructuredData = Record<string, Record<string, string>>

export type CefHeader = {
  version: number
  device_vendor: string
  device_product: string
  device_version: string
  signature_id: string
  name: string
  /** As sent: '0'…'10' or Unknown, Low, Medium, High, Very-High. */
  severity: string
  extensions: Record<string, string>
}

export type LeefHeader = {
  /** As sent: '1.0' or '2.0'. */
  version: string
  device_vendor: string
  device_product: string
  device_version: string
  event_id: string
  extensions: Record<string, string>
}

export type ParsedMessage = {
  ok: true
  format: Format
  priority: number | null
  facility: number | null
  severity: number | null
  version: number | null
  /** ISO-8601 with an offset or Z. */
  timestamp: string | null
  hostname: string | null
  appname: string | null
  procid: string | null
  msgid: string | null
  structured_data: StructuredData | null
  message: string | null
  cef?: CefHeader
  leef?: LeefHeader
  fields?: Record<string, unknown>
}

/** `error` says what is wrong and at which column (1-based, in characters), e.g. "rfc5424: column 18: …". */
export type ParseFailure = { ok: false; error: string }

export type ParseResult = ParsedMessage | ParseFailure

export type ParseOptions = {
  /** "Now" for the year a BSD timestamp leaves out; defaults to the clock. */
  now?: Date | number
  /** Offset of timestamps that carry no zone (BSD syslog); defaults to UTC. */
  timezoneOffsetMinutes?: number
}
