import { describe, expect, it } from 'vitest'
import { CHORD_MS, createShortcuts, SHORTCUT_HELP } from './shortcuts'
import { VIEWS } from './views'

const key = (k: string, patch: Partial<Parameters<ReturnType<typeof createShortcuts>>[0]> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  typing: false,
  ...patch,
})

describe('global shortcuts', () => {
  it('Ctrl+K and ⌘K open the palette, even while typing', () => {
    const press = createShortcuts()
    expect(press(key('k', { ctrlKey: true }), 0)).toEqual({ type: 'palette' })
    expect(press(key('K', { metaKey: true, typing: true }), 0)).toEqual({ type: 'palette' })
  })

  it('g then a letter jumps to its view, within the chord time', () => {
    const press = createShortcuts()
    expect(press(key('g'), 0)).toEqual({ type: 'pending' })
    expect(press(key('a'), 100)).toEqual({ type: 'go', route: 'alerts' })
    // Too late: the letter is just a letter.
    press(key('g'), 1000)
    expect(press(key('i'), 1000 + CHORD_MS + 1)).toBeNull()
    // An unknown letter ends the chord.
    press(key('g'), 5000)
    expect(press(key('q'), 5001)).toBeNull()
    expect(press(key('e'), 5002)).toBeNull()
  })

  it('? and / open the help and focus search; none fire while typing', () => {
    const press = createShortcuts()
    expect(press(key('?'), 0)).toEqual({ type: 'help' })
    expect(press(key('/'), 0)).toEqual({ type: 'search' })
    expect(press(key('?', { typing: true }), 0)).toBeNull()
    expect(press(key('g', { typing: true }), 0)).toBeNull()
    expect(press(key('a'), 1)).toBeNull()
  })

  it('every view has a distinct jump letter, and the help lists each', () => {
    const letters = VIEWS.map((v) => v.jump)
    expect(new Set(letters).size).toBe(letters.length)
    for (const v of VIEWS)
      expect(SHORTCUT_HELP).toContainEqual({ keys: `g ${v.jump}`, what: `Go to ${v.label}` })
  })
})
