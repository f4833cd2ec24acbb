// The document as Markdown: the analyst's body as written, framed by the structured parts as tables.
import type { ExportDocument } from './model'
import { TLP_MEANING, tlpLabel } from './text'

/** A table cell: Markdown punctuation escaped, line breaks flattened so the row stays one line. */
function cell(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, '\\$&').replace(/\r?\n/g, ' ')
}

/**
 * A value verbatim in a code span: a fence longer than any backtick run inside it. Only pipes are escaped,
 * which GFM tables strip before the code span is read.
 */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}${pad}${fence}`
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  return [line(head.map(cell)), `| ${head.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n')
}

export function toMarkdown(doc: ExportDocument): string {
  const tlp = `**${tlpLabel(doc.tlp)}**: ${TLP_MEANING[doc.tlp]}`
  const parts: string[] = [
    tlp,
    `# ${cell(doc.title)}`,
    [
      `- ${doc.kind === 'incident' ? 'Incident' : 'Report'}: ${doc.id} (version ${doc.version})`,
      `- Status: ${doc.status}`,
      `- Author: ${doc.author}, ${doc.organization}`,
      `- Created: ${doc.created_at}; updated: ${doc.updated_at}`,
      ...(doc.labels.length > 0 ? [`- Labels: ${doc.labels.join(', ')}`] : []),
    ].join('\n'),
    doc.body_markdown.trim(),
  ]
  if (doc.observables.length > 0) {
    parts.push(
      '## Observables',
      table(
        ['Type', 'Value', 'First seen', 'Last seen', 'Note'],
        doc.observables.map((o) => [
          o.type,
          code(o.value),
          cell(o.first_seen ?? ''),
          cell(o.last_seen ?? ''),
          cell(o.note ?? ''),
        ]),
      ),
    )
  }
  if (doc.techniques.length > 0) {
    parts.push(
      '## ATT&CK techniques',
      table(
        ['Technique', 'Name', 'Tactics', 'Alerts'],
        doc.techniques.map((t) => [
          code(t.id),
          cell(t.name ?? ''),
          cell(t.tactics.join(', ')),
          String(t.alerts),
        ]),
      ),
    )
  }
  if (doc.timeline.length > 0) {
    parts.push(
      '## Timeline',
      table(
        ['At', 'Kind', 'What'],
        doc.timeline.map((e) => [cell(e.at), e.kind, cell(e.text)]),
      ),
    )
  }
  if (doc.related && doc.related.length > 0) {
    parts.push(
      '## Related',
      table(
        ['Kind', 'Id', 'Name'],
        doc.related.map((r) => [r.kind, code(r.id), cell(r.label)]),
      ),
    )
  }
  if (doc.evidence.length > 0) {
    parts.push(
      '## Evidence',
      table(
        ['Name', 'Size (bytes)', 'SHA-256'],
        doc.evidence.map((e) => [cell(e.name), String(e.size), code(e.sha256)]),
      ),
    )
  }
  parts.push(tlp)
  return `${parts.join('\n\n')}\n`
}
