import { useMemo } from 'react'
import { renderMarkdown } from './markdown'

/** A report's or a comment's markdown, rendered by markdown-it and sanitized by DOMPurify. */
export const Markdown = ({ source }: { source: string }) => {
  const html = useMemo(() => renderMarkdown(source), [source])
  // Sanitized above: raw HTML is off in markdown-it, and DOMPurify keeps only ALLOWED_TAGS.
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />
}
