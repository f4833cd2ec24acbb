import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { Markdown, parseBlocks } from './Markdown'

const html = (source: string): string => renderToStaticMarkup(createElement(Markdown, { source }))

describe('markdown preview', () => {
  it('splits headings, paragraphs, lists and fenced code', () => {
    expect(parseBlocks('# Title\n\nline one\nline two\n\n- a\n- b\n1. c\n```\nx = 1\n```')).toEqual([
      { kind: 'heading', level: 1, text: 'Title' },
      { kind: 'paragraph', text: 'line one line two' },
      { kind: 'list', ordered: false, items: ['a', 'b'] },
      { kind: 'list', ordered: true, items: ['c'] },
      { kind: 'code', text: 'x = 1' },
    ])
  })

  it('renders inline code, bold and italic as elements', () => {
    expect(html('use **bold**, *it* and `code`')).toBe(
      '<p>use <strong>bold</strong>, <em>it</em> and <code>code</code></p>',
    )
  })

  it('never turns the text into HTML or live links', () => {
    const out = html(
      '<img src=x onerror=alert(1)> [click](javascript:void) [site](https://example.test/a)\n\n## <b>hi</b>',
    )
    expect(out).not.toMatch(/<img|<a |<b>/)
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(out).toContain('click (javascript:void)')
    expect(out).toContain('site (https://example.test/a)')
  })
})
