import { dialog, type BrowserWindow } from 'electron'
import type { ShellHandlers } from './ipc'

/** Native open/save dialogs, the shell calls of the contract. */
export const createShellHandlers = (window: () => BrowserWindow | undefined): ShellHandlers => ({
  'dialog:open': async (req) => {
    const options: Electron.OpenDialogOptions = {
      title: req.title ?? 'Open',
      filters: req.filters ?? [],
      properties: [
        req.directory ? 'openDirectory' : 'openFile',
        ...(req.multiple ? ['multiSelections' as const] : []),
      ],
    }
    const win = window()
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
    return { paths: result.canceled ? [] : result.filePaths }
  },
  'dialog:save': async (req) => {
    const options: Electron.SaveDialogOptions = {
      title: req.title ?? 'Save',
      filters: req.filters ?? [],
      ...(req.default_name ? { defaultPath: req.default_name } : {}),
    }
    const win = window()
    const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
    return { path: result.canceled || !result.filePath ? null : result.filePath }
  },
})
