// Observables as CSV (RFC 4180), safe to open in a spreadsheet.
import type { ExportDocument } from './model'

const HEADER = ['type', 'value', 'first_seen', 'last_seen', 'note']

/**
 * One field: a cell a spreadsheet would take for a formula (= + - @, or tab/CR that some strip first) gets
 * a leading single quote; then RFC 4180 quoting when it holds a comma, quote or line break.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

export function observablesCsv(doc: ExportDocument): string {
  const rows = [
    HEADER,
    ...doc.observables.map((o) => [o.type, o.value, o.first_seen ?? '', o.last_seen ?? '', o.note ?? '']),
  ]
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n'
}
