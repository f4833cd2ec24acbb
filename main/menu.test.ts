import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { isRoute } from '../collector/contract/routes'
import { MENU_VIEWS, menuTemplate, trayTooltip } from './menu'

const click = (item: MenuItemConstructorOptions | undefined): void =>
  (item?.click as unknown as () => void | undefined)?.()

describe('native menu', () => {
  it('switches views, toggles the theme and opens About', () => {
    const actions = { navigate: vi.fn(), toggleTheme: vi.fn(), palette: vi.fn() }
    const template = menuTemplate(actions, false)
    const view = template.find((m) => m.label === 'View')!.submenu as MenuItemConstructorOptions[]
    const alerts = view.find((i) => i.label === 'Alerts')
    expect(alerts?.accelerator).toBe('CmdOrCtrl+4')
    click(alerts)
    expect(actions.navigate).toHaveBeenCalledWith('alerts')
    click(view.find((i) => i.label === 'Toggle Theme'))
    expect(actions.toggleTheme).toHaveBeenCalled()
    const help = template.find((m) => m.role === 'help')!.submenu as MenuItemConstructorOptions[]
    click(help[0])
    expect(actions.navigate).toHaveBeenLastCalledWith('about')
    // macOS gets its application menu first.
    expect(menuTemplate(actions, true)[0]).toEqual({ role: 'appMenu' })
  })

  it('lists only views the console has', () => {
    expect(MENU_VIEWS.every((v) => isRoute(v.route))).toBe(true)
  })

  it('says the collector state in the tray', () => {
    expect(trayTooltip({ listeners: 9, events: 12345 })).toBe(
      'Outpost: collector up, 9 listeners, 12,345 events stored',
    )
    expect(trayTooltip(null)).toBe('Outpost: collector not responding')
  })
})
