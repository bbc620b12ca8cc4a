/** The Electron side of UiPorts: native file dialogs for the focused window. */
import { BrowserWindow, dialog } from 'electron'
import type { UiPorts } from './handlers'

export function createElectronPorts(): UiPorts {
  return {
    async chooseSavePath({ title, defaultName, extensions }) {
      const win = BrowserWindow.getFocusedWindow()
      const opts = { title, defaultPath: defaultName, filters: [{ name: extensions.join(', '), extensions }] }
      const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts)
      return r.canceled || !r.filePath ? null : r.filePath
    },
    async chooseOpenPath({ title, extensions }) {
      const win = BrowserWindow.getFocusedWindow()
      const opts = { title, properties: ['openFile' as const], filters: [{ name: extensions.join(', '), extensions }] }
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts)
      return r.canceled ? null : (r.filePaths[0] ?? null)
    },
    async chooseFolder({ title }) {
      const win = BrowserWindow.getFocusedWindow()
      const opts = { title, properties: ['openDirectory' as const, 'createDirectory' as const] }
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts)
      return r.canceled ? null : (r.filePaths[0] ?? null)
    },
  }
}
