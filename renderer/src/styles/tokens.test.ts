import { describe, expect, it } from 'vitest'
import { contrast, readableOn } from '../components/contrast'
import css from './tokens.css?raw'

/** The custom properties of the rule whose selector contains `selector` (literal colours only). */
const block = (selector: string): Record<string, string> => {
  const start = css.indexOf(selector)
  expect(start, selector).toBeGreaterThanOrEqual(0)
  const body = css.slice(css.indexOf('{', start) + 1, css.indexOf('}', start))
  return Object.fromEntries(
    [...body.matchAll(/--([\w-]+):\s*([^;]+);/g)].map((m): [string, string] => [m[1]!, m[2]!.trim()]),
  )
}

const dark = block(":root[data-theme='dark']")
const light = { ...dark, ...block(":root[data-theme='light']") }

/** Resolves `var(--x)` aliases within one theme. */
const colour = (theme: Record<string, string>, name: string): string => {
  let value = theme[name]
  for (let i = 0; value?.startsWith('var(--') && i < 5; i++) value = theme[value.slice(6, -1)]
  if (!value || !/^#[0-9a-f]{6}$/i.test(value)) throw new Error(`--${name} is not a #rrggbb colour: ${value}`)
  return value
}

const TEXT = [
  'text',
  'text-muted',
  'accent',
  'ok',
  'warn',
  'danger',
  'sev-info',
  'sev-low',
  'sev-medium',
  'sev-high',
]
// --sev-critical is a badge background: it is checked under --on-danger below.
const BACKGROUNDS = ['bg', 'bg-raised', 'bg-hover', 'bg-selected']

describe('design tokens', () => {
  it('computes WCAG contrast as the spec does', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5)
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2)
  })

  for (const [name, theme] of [
    ['dark', dark],
    ['light', light],
  ] as const) {
    it(`${name}: every text and severity colour reads at 4.5:1 or better on every background`, () => {
      const failures: string[] = []
      for (const fg of TEXT)
        for (const bg of BACKGROUNDS) {
          const ratio = contrast(colour(theme, fg), colour(theme, bg))
          if (ratio < 4.5) failures.push(`--${fg} on --${bg}: ${ratio.toFixed(2)}`)
        }
      expect(failures).toEqual([])
    })

    it(`${name}: the critical badge (white on the critical colour) reads at 4.5:1`, () => {
      expect(contrast(colour(theme, 'on-danger'), colour(theme, 'sev-critical'))).toBeGreaterThanOrEqual(4.5)
    })
  }

  it('banner text is black or white, whichever passes on the configured colour', () => {
    for (const colour of ['#007a33', '#ffc000', '#c8102e', '#ffffff', '#0033a0', '#502b85', '#ff8c00'])
      expect(contrast(readableOn(colour), colour), colour).toBeGreaterThanOrEqual(4.5)
  })

  it('the light theme redefines every colour the dark one has (no dark colour leaks into light)', () => {
    const colours = Object.keys(dark).filter(
      (k) => /^#/.test(dark[k]!) && !['on-danger', 'banner-text'].includes(k),
    )
    const redefined = Object.keys(block(":root[data-theme='light']"))
    expect(colours.filter((k) => !redefined.includes(k))).toEqual([])
  })
})
