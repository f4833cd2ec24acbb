import { describe, expect, it } from 'vitest'
import { storedTheme } from './theme'

const storage = (value: string | null) => ({ getItem: () => value })

describe('storedTheme', () => {
  it('returns the operator’s choice when it is a known theme', () => {
    expect(storedTheme(storage('light'))).toBe('light')
    expect(storedTheme(storage('dark'))).toBe('dark')
  })
  it('ignores anything else, so the system preference applies', () => {
    expect(storedTheme(storage(null))).toBeNull()
    expect(storedTheme(storage('solarized'))).toBeNull()
    expect(storedTheme(undefined)).toBeNull()
  })
  it('survives a storage that throws (privacy mode)', () => {
    expect(
      storedTheme({
        getItem: () => {
          throw new Error('denied')
        },
      }),
    ).toBeNull()
  })
})
