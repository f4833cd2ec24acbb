import MarkdownIt from 'markdown-it'
import { describe, expect, it } from 'vitest'
import { csvField, observablesCsv } from './csv'
import { sampleDocument } from './fixtures'
import { TLP_COLOURS, toHtml } from './html'
import { toMarkdown } from './markdown'
import { toMispEvent } from './misp'
import { toNavigatorLayer } from './navigator'

describe('toMarkdown', () => {
  it('frames the body with the TLP label and tables, escaping pipes', () => {
    const md = toMarkdown(
      sampleDocument({
        observables: [
          { type: 'url', value: 'http://a.example/x|y', first_seen: null, last_seen: null, note: 'a|b\nc' },
        ],
      }),
    )
    expect(md.startsWith('**TLP:AMBER**: ')).toBe(true)
    expect(md.trimEnd().endsWith('organization and its clients.')).toBe(true)
    expect(md).toContain("# Beacon to evil.example from WS-042 (Alice's laptop)")
    expect(md).toContain('PowerShell **downloaded** a payload.')
    expect(md).toContain('| url | `http://a.example/x\\|y` |  |  | a\\|b c |')
    expect(md).toContain('| `T1059.001` | PowerShell | execution | 4 |')
    expect(md).toContain('| 2026-11-20T09:05:00Z | action | Isolated WS-042 |')
    expect(md).toContain(
      '| pcap-1.pcap | 3 | `039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81` |',
    )
  })

  it('keeps awkward values verbatim when the Markdown is rendered', () => {
    const values = ['a|b', 'x`y``z', '`edge`', 'C:\\dir\\*_[x]_*.exe', '<b>bold</b>']
    const md = toMarkdown(
      sampleDocument({
        observables: values.map((value) => ({
          type: 'file',
          value,
          first_seen: null,
          last_seen: null,
          note: value,
        })),
      }),
    )
    const html = new MarkdownIt().render(md)
    for (const v of values) {
      const escaped = v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      expect(html, v).toContain(`<td><code>${escaped}</code></td>`)
      expect(html, v).toContain(`<td>${escaped}</td>`)
    }
  })

  it('leaves out empty sections', () => {
    const md = toMarkdown(sampleDocument({ observables: [], techniques: [], timeline: [], evidence: [] }))
    expect(md).not.toMatch(/## (Observables|ATT&CK|Timeline|Evidence)/)
  })
})

describe('toHtml', () => {
  const html = toHtml(sampleDocument())

  it('escapes raw HTML in the body and everywhere else', () => {
    expect(html).not.toContain('<script')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('<strong>downloaded</strong>')
    expect(html).toContain('Alice&#39;s laptop')
    const evil = toHtml(sampleDocument({ title: '<img src=x onerror=alert(1)>', labels: ['"><b>'] }))
    expect(evil).not.toContain('<img')
    expect(evil).not.toContain('"><b>')
  })

  it('references nothing outside the file: no images, links, scripts or remote CSS', () => {
    const doc = sampleDocument({
      body_markdown:
        '![x](http://evil.example/x.png) [click](http://evil.example/) <http://evil.example/a> http://evil.example/b',
    })
    const out = toHtml(doc)
    expect(out).not.toMatch(/<(img|a|script|link|iframe|object|embed)\b/i)
    expect(out).not.toMatch(/\b(src|href)=/i)
    expect(out).not.toMatch(/url\(|@import/i)
    expect(out).toContain("default-src 'none'")
    expect(out).toContain('[click](http://evil.example/)') // shown as text
  })

  it('has a TLP banner at top and bottom in the TLP 2.0 colour, and a print stylesheet', () => {
    for (const tlp of ['clear', 'green', 'amber', 'amber+strict', 'red'] as const) {
      const out = toHtml(sampleDocument({ tlp }))
      const banners =
        out.match(/<div class="tlp (top|bottom)" style="color:(#[0-9A-F]{6})">TLP:([A-Z+]+)/g) ?? []
      expect(banners).toHaveLength(2)
      for (const b of banners) expect(b).toContain(`color:${TLP_COLOURS[tlp]}">TLP:${tlp.toUpperCase()}`)
    }
    expect(TLP_COLOURS.red).toBe('#FF2B2B')
    expect(html).toContain('@media print')
    expect(html.indexOf('class="tlp top"')).toBeLessThan(html.indexOf('<h1>'))
    expect(html.lastIndexOf('class="tlp bottom"')).toBeGreaterThan(html.indexOf('<h2>Evidence</h2>'))
  })

  it('tables the observables, techniques, timeline and evidence with its SHA-256', () => {
    for (const h of ['Observables', 'ATT&amp;CK techniques', 'Timeline', 'Evidence'])
      expect(html).toContain(`<h2>${h}</h2>`)
    expect(html).toContain('<td class="v">CORP\\alice</td>')
    expect(html).toContain('039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81')
  })
})

describe('observablesCsv', () => {
  it('writes RFC 4180 with a header and CRLF, and defuses formulas', () => {
    const csv = observablesCsv(sampleDocument())
    const lines = csv.split('\r\n')
    expect(lines[0]).toBe('type,value,first_seen,last_seen,note')
    expect(lines[1]).toBe('ipv4,10.0.0.1,2026-11-20T09:00:00Z,2026-11-20T09:30:00Z,')
    expect(csv).toContain("user,CORP\\alice,,,'=cmd|calc\r\n")
    expect(csv).toContain(`file,invoice 'final'.exe,,,"'+1, ""quoted"""\r\n`)
    expect(csv.endsWith('\r\n')).toBe(true)
    expect(lines).toHaveLength(sampleDocument().observables.length + 2)
  })

  it.each([
    ['=1+1', "'=1+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['a\nb', '"a\nb"'],
    ['plain', 'plain'],
  ])('field %j -> %j', (input, output) => {
    expect(csvField(input)).toBe(output)
  })
})

describe('toMispEvent', () => {
  it('maps observables to MISP attribute types and techniques to galaxy tags', () => {
    const { Event } = toMispEvent(sampleDocument())
    expect(Event).toMatchObject({
      info: sampleDocument().title,
      date: '2026-11-20',
      analysis: '2',
      distribution: '1',
      Orgc: { name: 'Outpost' },
    })
    expect(Event.Tag.map((t) => t.name)).toEqual([
      'tlp:amber',
      'misp-galaxy:mitre-attack-pattern="PowerShell - T1059.001"',
      'misp-galaxy:mitre-attack-pattern="T1071"',
      'phishing',
    ])
    expect(Event.Attribute.map((a) => a.type)).toEqual([
      'ip-dst',
      'ip-dst',
      'ip-dst',
      'domain',
      'url',
      'md5',
      'sha1',
      'sha256',
      'email-src',
      'target-user',
      'hostname',
      'filename',
    ])
    expect(Event.Attribute[0]).toMatchObject({
      category: 'Network activity',
      value: '10.0.0.1',
      to_ids: true,
    })
    expect(Event.Attribute[0]?.first_seen).toBe('2026-11-20T09:00:00.000Z')
    expect(Event.Attribute.find((a) => a.type === 'target-user')?.to_ids).toBe(false)
    expect(toMispEvent(sampleDocument())).toEqual(toMispEvent(sampleDocument()))
  })

  it('distributes by TLP', () => {
    expect(toMispEvent(sampleDocument({ tlp: 'red' })).Event.distribution).toBe('0')
    expect(toMispEvent(sampleDocument({ tlp: 'clear' })).Event.Tag[0]?.name).toBe('tlp:clear')
  })
})

describe('toNavigatorLayer', () => {
  it('scores techniques by alerts in a 4.5 layer', () => {
    const layer = toNavigatorLayer(sampleDocument())
    expect(layer).toMatchObject({
      name: sampleDocument().title,
      versions: { attack: '18', navigator: '5.1.0', layer: '4.5' },
      domain: 'enterprise-attack',
      gradient: { minValue: 0, maxValue: 4 },
    })
    expect(layer.techniques).toEqual([
      {
        techniqueID: 'T1059.001',
        score: 4,
        comment: '4 alerts; execution',
        enabled: true,
        showSubtechniques: false,
      },
      {
        techniqueID: 'T1071',
        score: 1,
        comment: '1 alert; command-and-control',
        enabled: true,
        showSubtechniques: false,
      },
      { techniqueID: 'T1059', comment: '', enabled: true, showSubtechniques: true },
    ])
  })
})
