import type { ReactNode } from 'react'

/**
 * A small markdown subset rendered to React elements: headings, paragraphs, lists, fenced
 * code, inline code, bold, italic. Links show as text with their address: a report is
 * untrusted input, so nothing here becomes HTML or a live link.
 */
const INLINE = /(`[^`]+`|\*\*[^*]+\*\*|__[^_]+__|\*[^*\s][^*]*\*|_[^_\s][^_]*_|\[[^\]]+\]\([^)\s]+\))/

const inline = (text: string, key: string): ReactNode[] =>
  text
    .split(INLINE)
    .filter((part) => part !== '')
    .map((part, i) => {
      const k = `${key}.${i}`
      if (part.startsWith('`') && part.endsWith('`') && part.length > 1)
        return <code key={k}>{part.slice(1, -1)}</code>
      if (/^(\*\*|__).+\1$/.test(part)) return <strong key={k}>{inline(part.slice(2, -2), k)}</strong>
      if (/^([*_]).+\1$/.test(part)) return <em key={k}>{inline(part.slice(1, -1), k)}</em>
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(part)
      if (link) return <span key={k}>{`${link[1]} (${link[2]})`}</span>
      return part
    })

type Block =
  | { kind: 'heading'; level: 1 | 2 | 3 | 4 | 5 | 6; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'paragraph'; text: string }

const LIST_ITEM = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/

export const parseBlocks = (source: string): Block[] => {
  const lines = source.replace(/\r\n?/g, '\n').split('\n')
  const blocks: Block[] = []
  let paragraph: string[] = []
  const endParagraph = (): void => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', text: paragraph.join(' ') })
    paragraph = []
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (/^\s*```/.test(line)) {
      endParagraph()
      const code: string[] = []
      for (i++; i < lines.length && !/^\s*```/.test(lines[i] ?? ''); i++) code.push(lines[i] ?? '')
      blocks.push({ kind: 'code', text: code.join('\n') })
      continue
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading) {
      endParagraph()
      blocks.push({
        kind: 'heading',
        level: heading[1]!.length as 1 | 2 | 3 | 4 | 5 | 6,
        text: heading[2] ?? '',
      })
      continue
    }
    const item = LIST_ITEM.exec(line)
    if (item) {
      endParagraph()
      const ordered = item[2] !== undefined
      const last = blocks[blocks.length - 1]
      if (last?.kind === 'list' && last.ordered === ordered) last.items.push(item[3] ?? '')
      else blocks.push({ kind: 'list', ordered, items: [item[3] ?? ''] })
      continue
    }
    if (line.trim() === '') endParagraph()
    else paragraph.push(line.trim())
  }
  endParagraph()
  return blocks
}

export const Markdown = ({ source }: { source: string }) => (
  <>
    {parseBlocks(source).map((block, i) => {
      const key = String(i)
      switch (block.kind) {
        case 'heading': {
          const H = `h${block.level}` as const
          return <H key={key}>{inline(block.text, key)}</H>
        }
        case 'code':
          return (
            <pre key={key}>
              <code>{block.text}</code>
            </pre>
          )
        case 'list': {
          const items = block.items.map((text, j) => <li key={j}>{inline(text, `${key}.${j}`)}</li>)
          return block.ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>
        }
        case 'paragraph':
          return <p key={key}>{inline(block.text, key)}</p>
      }
    })}
  </>
)
