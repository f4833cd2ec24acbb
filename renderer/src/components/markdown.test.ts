// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { renderMarkdown } from './markdown'

describe('markdown for reports and comments', () => {
  it('renders headings, lists, code, emphasis and tables', () => {
    const html = renderMarkdown(
      '# Title\n\nuse **bold**, *it* and `code`\n\n- a\n- b\n\n1. c\n\n```\nx = 1\n```\n\n| k | v |\n| - | - |\n| 1 | 2 |',
    )
    expect(html).toContain('<h1>Title</h1>')
    expect(html).toContain('<p>use <strong>bold</strong>, <em>it</em> and <code>code</code></p>')
    expect(html).toContain('<ul>\n<li>a</li>\n<li>b</li>\n</ul>')
    expect(html).toContain('<ol>\n<li>c</li>\n</ol>')
    expect(html).toContain('<pre><code>x = 1\n</code></pre>')
    expect(html).toMatch(/<table>[\s\S]*<td>1<\/td>/)
  })

  it('never turns the text into live HTML, scripts or links', () => {
    const html = renderMarkdown(
      '<img src=x onerror=alert(1)> [click](javascript:void) [site](https://example.test/a) ![i](http://x.test/p.png)\n\n## <b>hi</b>\n\n<script>alert(1)</script>',
    )
    expect(html).not.toMatch(/<img|<a |<b>|<script|<[^>]*onerror/)
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('[click](javascript:void)')
    expect(html).toContain('site <span class="md-href">(https://example.test/a)</span>')
    expect(html).toContain('[image: i]')
    expect(html).toContain('&lt;script&gt;')
  })
})
