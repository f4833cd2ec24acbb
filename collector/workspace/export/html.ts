// The document as ONE self-contained HTML file: inline CSS, nothing fetched, prints with a TLP banner on every page.
import MarkdownIt from 'markdown-it'
import type { ExportDocument, Tlp } from './model'
import { TLP_MEANING, escapeHtml, tlpLabel } from './text'

/** FIRST TLP 2.0 colours: the label text on a black background. */
export const TLP_COLOURS: Record<Tlp, string> = {
  red: '#FF2B2B',
  'amber+strict': '#FFC000',
  amber: '#FFC000',
  green: '#33FF00',
  clear: '#FFFFFF',
}

// Raw HTML off; images and links off too: an image would be fetched, and a link in a report is usually an
// IOC nobody should click. Both stay visible as their Markdown text.
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false }).disable([
  'image',
  'link',
  'autolink',
])

const CSS = `
*{box-sizing:border-box}
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;margin:0;background:#fff}
main{max-width:960px;margin:0 auto;padding:16px 24px}
.tlp{background:#000;font:bold 14px/1 ui-monospace,Menlo,Consolas,monospace;padding:8px 12px;text-align:center}
.tlp small{font-weight:normal;color:#fff;margin-left:12px}
h1{font-size:24px;margin:16px 0 4px}
h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:28px}
.meta{color:#555;margin:0 0 16px}
.meta span{margin-right:16px}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f2f2f2}
td.v,code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
pre{background:#f6f6f6;padding:8px;overflow-x:auto;white-space:pre-wrap}
.body blockquote{border-left:3px solid #ccc;margin-left:0;padding-left:12px;color:#444}
@page{margin:22mm 14mm}
@media print{
  body{font-size:11pt}
  main{max-width:none;padding:0}
  .tlp{position:fixed;left:0;right:0;-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .tlp.top{top:-14mm}
  .tlp.bottom{bottom:-14mm}
  tr,pre,blockquote{break-inside:avoid}
  h2{break-after:avoid}
}
`

function table(head: string[], rows: { cells: string[]; mono?: number[] }[]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')
  const tr = rows
    .map(
      (r) =>
        `<tr>${r.cells.map((c, i) => `<td${r.mono?.includes(i) ? ' class="v"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('\n')
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`
}

function banner(tlp: Tlp, where: 'top' | 'bottom'): string {
  return `<div class="tlp ${where}" style="color:${TLP_COLOURS[tlp]}">${escapeHtml(tlpLabel(tlp))}<small>${escapeHtml(TLP_MEANING[tlp])}</small></div>`
}

export function toHtml(doc: ExportDocument): string {
  const sections: string[] = []
  if (doc.observables.length > 0) {
    sections.push(
      '<h2>Observables</h2>',
      table(
        ['Type', 'Value', 'First seen', 'Last seen', 'Note'],
        doc.observables.map((o) => ({
          cells: [o.type, o.value, o.first_seen ?? '', o.last_seen ?? '', o.note ?? ''],
          mono: [1],
        })),
      ),
    )
  }
  if (doc.techniques.length > 0) {
    sections.push(
      '<h2>ATT&amp;CK techniques</h2>',
      table(
        ['Technique', 'Name', 'Tactics', 'Alerts'],
        doc.techniques.map((t) => ({
          cells: [t.id, t.name ?? '', t.tactics.join(', '), String(t.alerts)],
          mono: [0],
        })),
      ),
    )
  }
  if (doc.timeline.length > 0) {
    sections.push(
      '<h2>Timeline</h2>',
      table(
        ['At', 'Kind', 'What'],
        doc.timeline.map((e) => ({ cells: [e.at, e.kind, e.text], mono: [0] })),
      ),
    )
  }
  if (doc.related && doc.related.length > 0) {
    sections.push(
      '<h2>Related</h2>',
      table(
        ['Kind', 'Id', 'Name'],
        doc.related.map((r) => ({ cells: [r.kind, r.id, r.label], mono: [1] })),
      ),
    )
  }
  if (doc.evidence.length > 0) {
    sections.push(
      '<h2>Evidence</h2>',
      table(
        ['Name', 'Size (bytes)', 'SHA-256'],
        doc.evidence.map((e) => ({ cells: [e.name, String(e.size), e.sha256], mono: [2] })),
      ),
    )
  }
  const meta = [
    `${doc.kind === 'incident' ? 'Incident' : 'Report'} ${doc.id} v${doc.version}`,
    `Status: ${doc.status}`,
    `Author: ${doc.author}, ${doc.organization}`,
    `Created ${doc.created_at}`,
    `Updated ${doc.updated_at}`,
    ...(doc.labels.length > 0 ? [`Labels: ${doc.labels.join(', ')}`] : []),
  ]
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${tlpLabel(doc.tlp)} ${doc.title}`)}</title>
<style>${CSS}</style>
</head>
<body>
${banner(doc.tlp, 'top')}
<main>
<h1>${escapeHtml(doc.title)}</h1>
<p class="meta">${meta.map((m) => `<span>${escapeHtml(m)}</span>`).join('')}</p>
<div class="body">
${markdown.render(doc.body_markdown)}</div>
${sections.join('\n')}
</main>
${banner(doc.tlp, 'bottom')}
</body>
</html>
`
}
