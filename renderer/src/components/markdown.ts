import DOMPurify from 'dompurify'
import MarkdownIt from 'markdown-it'

/**
 * Markdown a report or a comment holds, as HTML safe to show: markdown-it with raw HTML off, links
 * shown as their text and address (a report is untrusted input, and on an air-gapped site a live
 * link leads nowhere good), then DOMPurify over the result with a short list of allowed tags.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false })
md.renderer.rules.link_open = () => '<span class="md-link">'
md.renderer.rules.link_close = (tokens, index) => {
  // The matching link_open is the nearest one before this close at the same nesting.
  let open = index - 1
  while (open >= 0 && tokens[open]!.type !== 'link_open') open--
  const href = open >= 0 ? (tokens[open]!.attrGet('href') ?? '') : ''
  return href ? ` <span class="md-href">(${md.utils.escapeHtml(href)})</span></span>` : '</span>'
}
md.renderer.rules.image = (tokens, index) => {
  const token = tokens[index]!
  const alt = md.utils.escapeHtml(token.content)
  const src = md.utils.escapeHtml(token.attrGet('src') ?? '')
  return `<span class="md-link">[image: ${alt}] <span class="md-href">(${src})</span></span>`
}

const ALLOWED_TAGS = [
  'p',
  'br',
  'hr',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'strong',
  'em',
  's',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'span',
]

export const renderMarkdown = (source: string): string =>
  DOMPurify.sanitize(md.render(source), {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ['class', 'start', 'style'],
    ALLOW_DATA_ATTR: false,
  })
