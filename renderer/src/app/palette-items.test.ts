import { describe, expect, it, vi } from 'vitest'
import { paletteItems, type PaletteActions } from './palette-items'

const actions = (): PaletteActions => ({
  go: vi.fn(),
  toggleTheme: vi.fn(),
  showShortcuts: vi.fn(),
  newReport: vi.fn(),
  newOperation: vi.fn(),
  runHunt: vi.fn(),
  markNotificationsRead: vi.fn(),
})

describe('palette items', () => {
  it('offers every view and action when empty', () => {
    const items = paletteItems('', [], actions())
    expect(items.filter((i) => i.group === 'Views').length).toBeGreaterThan(10)
    expect(items.map((i) => i.label)).toContain('Toggle theme (dark / light)')
  })

  it('filters views and actions by text, then lists the objects found, each opening its route', () => {
    const a = actions()
    const items = paletteItems(
      'ale',
      [
        {
          kind: 'incident',
          id: 'inc-1',
          title: 'Alerting burst on ws01',
          detail: 'new · high',
          route: { view: 'incidents', params: { id: 'inc-1' } },
        },
      ],
      a,
    )
    expect(items.map((i) => i.label)).toEqual(['Go to Alerts', 'Incident: Alerting burst on ws01'])
    items[1]!.run()
    expect(a.go).toHaveBeenCalledWith('incidents', { id: 'inc-1' })
    items[0]!.run()
    expect(a.go).toHaveBeenCalledWith('alerts')
  })

  it('runs actions', () => {
    const a = actions()
    paletteItems('theme', [], a)[0]!.run()
    expect(a.toggleTheme).toHaveBeenCalled()
  })
})
