import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readWindowState, validWindowState, writeWindowState } from './window-state'

const SCREEN = [{ x: 0, y: 0, width: 1920, height: 1080 }]
const TWO = [...SCREEN, { x: 1920, y: 0, width: 2560, height: 1440 }]

describe('window state', () => {
  it('keeps bounds that are on a screen, and maximized', () => {
    const state = { bounds: { x: 100, y: 50, width: 1200, height: 800 }, maximized: true }
    expect(validWindowState(state, SCREEN)).toEqual(state)
    // On the second monitor while it is plugged in.
    const right = { bounds: { x: 2000, y: 100, width: 1400, height: 900 }, maximized: false }
    expect(validWindowState(right, TWO)).toEqual(right)
  })

  it('drops bounds on a monitor that is gone, or off every screen', () => {
    expect(validWindowState({ bounds: { x: 2000, y: 100, width: 1400, height: 900 } }, SCREEN)).toBeNull()
    expect(validWindowState({ bounds: { x: -5000, y: 0, width: 1000, height: 700 } }, SCREEN)).toBeNull()
    expect(validWindowState({ bounds: { x: 0, y: 5000, width: 1000, height: 700 } }, SCREEN)).toBeNull()
  })

  it('grows a window smaller than the minimum, and refuses junk', () => {
    expect(validWindowState({ bounds: { x: 10, y: 10, width: 20, height: 20 } }, SCREEN)?.bounds).toEqual({
      x: 10,
      y: 10,
      width: 960,
      height: 600,
    })
    for (const junk of [
      null,
      'x',
      {},
      { bounds: { x: 'a', y: 0, width: 1, height: 1 } },
      { bounds: { x: NaN } },
    ])
      expect(validWindowState(junk, SCREEN)).toBeNull()
  })

  it('round-trips through its file; a broken file means defaults', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'outpost-ws-')), 'window-state.json')
    expect(readWindowState(file, SCREEN)).toBeNull()
    const state = { bounds: { x: 10, y: 20, width: 1300, height: 850 }, maximized: false }
    writeWindowState(file, state)
    expect(readWindowState(file, SCREEN)).toEqual(state)
    writeFileSync(file, '{not json')
    expect(readWindowState(file, SCREEN)).toBeNull()
  })
})
