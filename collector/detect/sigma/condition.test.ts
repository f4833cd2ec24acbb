import { describe, expect, it } from 'vitest'
import { ConditionError, parseCondition, type ConditionNode } from './condition'

const id = (name: string): ConditionNode => ({ kind: 'id', name })

describe('parseCondition', () => {
  it.each<[string, ConditionNode]>([
    ['selection', id('selection')],
    ['a and b', { kind: 'and', args: [id('a'), id('b')] }],
    ['a or b and c', { kind: 'or', args: [id('a'), { kind: 'and', args: [id('b'), id('c')] }] }],
    ['(a or b) and c', { kind: 'and', args: [{ kind: 'or', args: [id('a'), id('b')] }, id('c')] }],
    ['not a and b', { kind: 'and', args: [{ kind: 'not', arg: id('a') }, id('b')] }],
    ['not not a', { kind: 'not', arg: { kind: 'not', arg: id('a') } }],
    ['a AND NOT b', { kind: 'and', args: [id('a'), { kind: 'not', arg: id('b') }] }],
    ['1 of sel*', { kind: 'of', quantifier: 'one', pattern: 'sel*' }],
    ['all of them', { kind: 'of', quantifier: 'all', pattern: null }],
    ['1 of them', { kind: 'of', quantifier: 'one', pattern: null }],
    [
      'all of selection_* and not 1 of filter_*',
      {
        kind: 'and',
        args: [
          { kind: 'of', quantifier: 'all', pattern: 'selection_*' },
          { kind: 'not', arg: { kind: 'of', quantifier: 'one', pattern: 'filter_*' } },
        ],
      },
    ],
    ['sel.a-b', id('sel.a-b')],
    ['((a))', id('a')],
  ])('%s', (text, expected) => {
    expect(parseCondition(text)).toEqual(expected)
  })

  it.each<[string, number, string]>([
    ['a and', 6, 'expected a search identifier'],
    ['(a or b', 8, "expected ')'"],
    ['a b', 3, "unexpected 'b'"],
    ['2 of sel*', 1, "only '1 of' and 'all of'"],
    ['sel*', 1, 'wildcards need'],
    ['a & b', 3, 'unexpected character'],
    ['all of', 7, "expected a pattern or 'them'"],
    ['a or )', 6, 'expected a search identifier'],
  ])('rejects %s at column %i', (text, column, reason) => {
    try {
      parseCondition(text)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConditionError)
      expect((error as ConditionError).column).toBe(column)
      expect((error as ConditionError).reason).toContain(reason)
    }
  })

  it('reports aggregations as unsupported', () => {
    expect(() => parseCondition('selection | count() > 5')).toThrow(
      expect.objectContaining({ unsupported: true, column: 11 }),
    )
  })
})
