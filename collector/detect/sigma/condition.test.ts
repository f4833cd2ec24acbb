import fc from 'fast-check'
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

describe('parseCondition properties', () => {
  const { node } = fc.letrec<{ node: ConditionNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('sel', 'filter_1', 'a.b-c', '_x').map((name): ConditionNode => ({ kind: 'id', name })),
      fc
        .record({ quantifier: fc.constantFrom('one', 'all'), pattern: fc.constantFrom(null, 'sel*', '*_1') })
        .map((of): ConditionNode => ({
          kind: 'of',
          quantifier: of.quantifier,
          pattern: of.pattern,
        })),
      tie('node').map((arg): ConditionNode => ({ kind: 'not', arg })),
      fc
        .record({
          kind: fc.constantFrom('and', 'or'),
          args: fc.array(tie('node'), { minLength: 2, maxLength: 3 }),
        })
        .map((n): ConditionNode => ({ kind: n.kind, args: n.args })),
    ),
  }))

  /** Prints with parentheses around every compound operand, keywords in random case. */
  const print = (n: ConditionNode, upper: boolean): string => {
    const k = (word: string): string => (upper ? word.toUpperCase() : word)
    const operand = (arg: ConditionNode): string =>
      arg.kind === 'and' || arg.kind === 'or' ? `(${print(arg, upper)})` : print(arg, upper)
    switch (n.kind) {
      case 'id':
        return n.name
      case 'of':
        return `${n.quantifier === 'one' ? '1' : k('all')} ${k('of')} ${n.pattern ?? k('them')}`
      case 'not':
        return `${k('not')} ${operand(n.arg)}`
      case 'and':
      case 'or':
        return n.args.map(operand).join(` ${k(n.kind)} `)
    }
  }

  it('reads back what it prints', () => {
    fc.assert(
      fc.property(node, fc.boolean(), (tree, upper) => {
        expect(parseCondition(print(tree, upper))).toEqual(tree)
      }),
    )
  })
})
