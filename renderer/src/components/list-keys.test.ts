import { describe, expect, it } from 'vitest'
import { nextIndex } from './list-keys'

describe('j/k in link lists', () => {
  it('moves down and up, clamped at both ends, starting at the first row', () => {
    expect(nextIndex('j', -1, 3)).toBe(0)
    expect(nextIndex('j', 0, 3)).toBe(1)
    expect(nextIndex('j', 2, 3)).toBe(2)
    expect(nextIndex('k', 2, 3)).toBe(1)
    expect(nextIndex('k', 0, 3)).toBe(0)
    expect(nextIndex('ArrowDown', 1, 3)).toBe(2)
  })
  it('ignores other keys and empty lists', () => {
    expect(nextIndex('x', 0, 3)).toBeNull()
    expect(nextIndex('Enter', 0, 3)).toBeNull()
    expect(nextIndex('j', -1, 0)).toBeNull()
  })
})
