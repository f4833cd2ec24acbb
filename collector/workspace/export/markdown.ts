// The document as Markdown: the analyst's body as written, framed by the structured parts as tables.
import type { ExportDocument } from './model'
import { TLP_MEANING, tlpLabel } from './text'

/** A table cell: pipes escaped, line breaks flattened so the row stays one line. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`
  return [line(head), `| ${head.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n')
}

export function toMarkdown(doc: ExportDocument): string {
  const tlp = `**${tlpLabel(doc.tlp)}**: ${TLP_MEANING[doc.tlp]}`
  const parts: string[] = [
    tlp,
    `# ${doc.title.replace(/\r?\n/g, ' ')}`,
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
          `\`${o.value.replace(/`/g, "'")}\``,
          o.first_seen ?? '',
          o.last_seen ?? '',
          o.note ?? '',
        ]),
      ),
    )
  }
  if (doc.techniques.length > 0) {
    parts.push(
      '## ATT&CK techniques',
      table(
        ['Technique', 'Name', 'Tactics', 'Alerts'],
        doc.techniques.map((t) => [t.id, t.name ?? '', t.tactics.join(', '), String(t.alerts)]),
      ),
    )
  }
  if (doc.timeline.length > 0) {
    parts.push(
      '## Timeline',
      table(
        ['At', 'Kind', 'What'],
        doc.timeline.map((e) => [e.at, e.kind, e.text]),
      ),
    )
  }
  if (doc.evidence.length > 0) {
    parts.push(
      '## Evidence',
      table(
        ['Name', 'Size (bytes)', 'SHA-256'],
        doc.evidence.map((e) => [e.name, String(e.size), e.sha256]),
      ),
    )
  }
  parts.push(tlp)
  return `${parts.join('\n\n')}\n`
}
