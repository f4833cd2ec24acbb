import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseJsonBody } from './json-body'

describe('parseJsonBody', () => {
  it.each([
    ['one object', '{"a":1}', [{ a: 1 }], 0],
    ['a pretty-printed object', '{\n  "a": 1,\n  "b": [1, 2]\n}\n', [{ a: 1, b: [1, 2] }], 0],
    ['an array', '[{"a":1},{"a":2}]', [{ a: 1 }, { a: 2 }], 0],
    ['NDJSON with CRLF and blank lines', '{"a":1}\r\n\r\n{"a":2}\r\n', [{ a: 1 }, { a: 2 }], 0],
    ['a BOM', '\ufeff{"a":1}', [{ a: 1 }], 0],
    ['an array with a non-object', '[{"a":1},2,null]', [{ a: 1 }], 2],
    ['NDJSON with one bad line', '{"a":1}\n{"a":\n{"a":3}', [{ a: 1 }, { a: 3 }], 1],
  ])('%s', (_name, body, items, problems) => {
    const parsed = parseJsonBody(body)
    expect(parsed.items).toEqual(items)
    expect(parsed.problems).toHaveLength(problems)
  })

  it('says which line and column is broken', () => {
    const parsed = parseJsonBody('{"ok":1}\n{"ok":2}\n{"broken": tru}\n')
    expect(parsed.items).toHaveLength(2)
    expect(parsed.problems).toEqual([
      { item: 3, line: 3, error: expect.stringMatching(/^invalid JSON at line 3, column \d+/) as string },
    ])
  })

  it('refuses an empty body and a scalar with a reason', () => {
    expect(parseJsonBody('  \n').problems[0]?.error).toMatch(/empty body/)
    expect(parseJsonBody('"just a string"').problems[0]?.error).toMatch(/expected a JSON object, got string/)
  })

  it('reads back any batch of objects sent as NDJSON or as an array', () => {
    const objects = fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 20 })
    fc.assert(
      fc.property(objects, (batch) => {
        const ndjson = parseJsonBody(batch.map((o) => JSON.stringify(o)).join('\n'))
        const array = parseJsonBody(JSON.stringify(batch))
        const expected = JSON.parse(JSON.stringify(batch)) as unknown
        expect(array.items).toEqual(expected)
        if (batch.length > 0) expect(ndjson.items).toEqual(expected)
      }),
    )
  })

  it('hands back each NDJSON line as received, so it is stored without re-serializing', () => {
    const parsed = parseJsonBody('{"a":1,  "b":"x"}\r\nnot json\n{"c":[1]}')
    expect(parsed.texts).toEqual(['{"a":1,  "b":"x"}', '{"c":[1]}'])
    expect(parsed.items).toEqual([{ a: 1, b: 'x' }, { c: [1] }])
  })
})
