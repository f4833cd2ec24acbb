import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { observablesCsv } from './csv'
import { sampleDocument } from './fixtures'
import { toHtml } from './html'
import { toMarkdown } from './markdown'
import { toMispEvent } from './misp'
import { toNavigatorLayer } from './navigator'
import { toStixBundle } from './stix'

/**
 * testdata/sample.* hold every rendering of the sample document. `UPDATE_GOLDEN=1 npx vitest run
 * collector/workspace/export` rewrites them from the code: review the diff by hand, they must be right,
 * not merely what it prints. They also pin the ids: a re-export must not change them.
 */
const UPDATE = process.env.UPDATE_GOLDEN === '1'
const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`

const RENDERINGS: ReadonlyArray<[file: string, render: () => string]> = [
  ['sample.report.stix.json', () => json(toStixBundle(sampleDocument()))],
  [
    'sample.incident.stix.json',
    () => json(toStixBundle(sampleDocument({ kind: 'incident', id: 'inc-0001' }))),
  ],
  ['sample.md', () => toMarkdown(sampleDocument())],
  ['sample.html', () => toHtml(sampleDocument())],
  ['sample.csv', () => observablesCsv(sampleDocument())],
  ['sample.misp.json', () => json(toMispEvent(sampleDocument()))],
  ['sample.navigator.json', () => json(toNavigatorLayer(sampleDocument()))],
]

describe('golden renderings of the sample document', () => {
  it.each(RENDERINGS)('%s', (file, render) => {
    const url = new URL(`testdata/${file}`, import.meta.url)
    const actual = render()
    if (UPDATE || !existsSync(url)) writeFileSync(url, actual)
    expect(actual).toBe(readFileSync(url, 'utf8'))
  })
})
