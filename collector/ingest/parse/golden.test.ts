import { readFileSync, writeFileSync } from 'node:fs'
import { format as prettierFormat, resolveConfig } from 'prettier'
import { describe, expect, it } from 'vitest'
import { parseMessage } from './auto'
import type { FormatOption } from './types'

/**
 * testdata/<name>.txt holds one message per line ('#' lines are comments); <name>.golden.json the
 * expected result of each. `UPDATE_GOLDEN=1 npx vitest run collector/ingest/parse` rewrites the
 * goldens from the code: review the diff by hand, they must be right, not merely what it prints.
 */
const SETS: ReadonlyArray<[name: string, format: FormatOption]> = [
  ['rfc5424', 'rfc5424'],
  ['rfc3164', 'rfc3164'],
  ['cef', 'cef'],
  ['leef', 'leef'],
  ['json', 'json'],
  ['kv', 'kv'],
  ['auto', 'auto'],
]
const OPTIONS = { now: Date.parse('2026-11-22T00:00:00Z') }
const UPDATE = process.env.UPDATE_GOLDEN === '1'

type Case = { input: string; expected: unknown }

const inputsOf = (name: string): string[] =>
  readFileSync(new URL(`testdata/${name}.txt`, import.meta.url), 'utf8')
    .split('\n')
    .slice(0, -1)
    .filter((line) => !line.startsWith('#'))

// What `outpost parse` prints: JSON, so undefined keys and prototypes do not matter, only the text.
const run = (input: string, format: FormatOption): unknown =>
  JSON.parse(JSON.stringify(parseMessage(input, format, OPTIONS)))

describe.each(SETS)('golden %s', (name, format) => {
  const goldenUrl = new URL(`testdata/${name}.golden.json`, import.meta.url)
  const inputs = inputsOf(name)

  if (UPDATE) {
    it('rewrites the golden file', async () => {
      const cases: Case[] = inputs.map((input) => ({ input, expected: run(input, format) }))
      const config = await resolveConfig(goldenUrl)
      writeFileSync(goldenUrl, await prettierFormat(JSON.stringify(cases), { ...config, parser: 'json' }))
    })
    return
  }

  const golden = JSON.parse(readFileSync(goldenUrl, 'utf8')) as Case[]
  it('has one expected result per input line', () => {
    expect(golden.map((c) => c.input)).toEqual(inputs)
  })
  it.each(golden.map((c, index) => [index + 1, c.input, c.expected] as const))(
    '#%i %s',
    (_index, input, expected) => {
      expect(run(input, format)).toEqual(expected)
    },
  )
})
