export const IMPORT_FORMATS = ['auto', 'ndjson', 'json', 'evtx', 'syslog', 'csv'] as const
export type ImportFormat = (typeof IMPORT_FORMATS)[number]
export type DetectedFormat = Exclude<ImportFormat, 'auto'> | 'zip' | 'gzip'

const startsWith = (head: Buffer, magic: readonly number[]): boolean =>
  head.length >= magic.length && magic.every((byte, i) => head[i] === byte)

const EVTX_MAGIC = [...Buffer.from('ElfFile\0', 'latin1')]

/**
 * What a file holds, by its first bytes, then by its name: magic numbers win over extensions
 * because exported files are often misnamed (`.log` that is NDJSON, `.json` that is zipped).
 */
export const detectFormat = (head: Buffer, name: string): DetectedFormat => {
  if (startsWith(head, EVTX_MAGIC)) return 'evtx'
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'zip'
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip'
  const text = head.toString('utf8').replace(/^\uFEFF/, '')
  const first = text.trimStart()[0]
  if (first === '[') return 'json'
  if (first === '{') return /\.(ndjson|jsonl)$/i.test(name) ? 'ndjson' : 'json'
  if (first === '<') return 'syslog'
  const firstLine = text.split(/\r?\n/, 1)[0] ?? ''
  if (/\.csv$/i.test(name) && firstLine.includes(',')) return 'csv'
  return 'syslog'
}
