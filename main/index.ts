/**
 * The Electron bootstrap: one hardened window, the IPC contract, and the services of main/core. Everything with
 * logic lives in Electron-free modules; this file only wires them (and is tested with a mocked `electron`).
 */
import { join } from 'node:path'
import { app, BrowserWindow, dialog, ipcMain, Notification, protocol, session, shell, utilityProcess, type WebContents } from 'electron'
import type { DojangEvent } from '../common/contract'
import { certificateId } from '../common/certificateId'
import { dueReminders, loadSentReminders, reminderKey, saveSentReminders } from './core/app/calendar'
import { cryptoSelfTest } from './core/crypto/selfTest'
import { createRemovableWatcher } from './core/stores/usbTrigger'
import { broadcast, registerIpc } from './ipc'
import { createHandlers } from './handlers'
import { createElectronPorts } from './ports'
import { openCore, utilityProcessWorker } from './core/app/core'
import { defaultDataDir } from './core/fsx'
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, isAllowedExternalUrl, serveAppRequest, trustedPage, webPreferences, withSecurityHeaders } from './security'

const rendererDir = join(__dirname, '../renderer')
// The dev server's address comes from the environment: honoured only while developing, never in a packaged app.
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL
const isTrusted = trustedPage(devServerUrl)

// Before ready: app:// behaves like https (own origin, secure context), so the page needs no file:// privileges.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }])

function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    // Links to the certificate authorities' pages open in the browser, never inside Dojang; anything else is dropped.
    if (isAllowedExternalUrl(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event, url) => {
    if (!isTrusted(url)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isTrusted(url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  // Belt and braces beside webPreferences.devTools: a packaged app closes DevTools if anything opens them.
  if (app.isPackaged) contents.on('devtools-opened', () => contents.closeDevTools())
}

export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1180,
    height: 760,
    minWidth: 800,
    minHeight: 560,
    title: '도장 Dojang',
    show: false,
    webPreferences: webPreferences(join(__dirname, '../preload/index.js'), { devTools: !app.isPackaged }),
  })
  win.once('ready-to-show', () => win.show())
  void win.loadURL(devServerUrl && isTrusted(devServerUrl) ? devServerUrl : APP_INDEX_URL)
  return win
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows()
    if (win) {
      if (win.isMinimized()) win.restore()
      win.focus()
    }
  })
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents))
  process.on('unhandledRejection', (reason) => console.error('dojang: unhandled rejection', reason))

  void app.whenReady().then(async () => {
    // A cipher that computes something else here would write keys no bank can open: refuse to start instead.
    const failures = cryptoSelfTest()
    if (failures.length > 0) {
      console.error('dojang: crypto self-test failed', failures)
      dialog.showErrorBox('Dojang cannot start safely', `The encryption built into this computer's copy of Dojang failed its self-test (${failures.map((f) => f.check).join(', ')}). Nothing was changed. Please reinstall Dojang.\n\n암호 기능 자체 점검에 실패하여 도장을 시작하지 않았습니다. 아무것도 바뀌지 않았습니다. 도장을 다시 설치해 주세요.`)
      app.quit()
      return
    }
    // Only files of the renderer folder, with the CSP header; traversal and other hosts get 403.
    protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request.url))
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
    session.defaultSession.setPermissionCheckHandler(() => false)
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: withSecurityHeaders(details.responseHeaders) })
    })
    // The same data folder as the CLI: one inventory, one trash, one set of backups per user.
    const emit = (event: DojangEvent) => broadcast(BrowserWindow.getAllWindows().map((w) => w.webContents), event)
    // 보안토큰: vendor PKCS#11 modules load in a utility process (fork would need RunAsNode, which the fuses turn off).
    const tokens = { spawn: utilityProcessWorker(utilityProcess, { script: join(__dirname, 'tokenWorker.js') }) }
    const core = await openCore({ dataDir: defaultDataDir(), frontEnd: 'app', emit, tokens })
    const handlers = createHandlers(core, createElectronPorts())
    registerIpc(ipcMain, handlers, isTrusted)
    createMainWindow()
    void handlers.startScan({})

    // USB sticks: the usb package is only a trigger; the volumes are polled until the new one is mounted.
    const watcher = createRemovableWatcher({
      onChange: (stores) => {
        emit({ type: 'mediaChanged', media: stores.map((s) => ({ medium: 'removable', root: s.root, label: s.label, available: true })) })
        // A USB event may be a token plugged in or out: a fresh worker asks the modules again, and the scan lists it.
        core.stores.resetTokens({ restartWorker: true })
        void handlers.startScan({})
      },
      onError: (e) => console.error('dojang: removable-drive watch failed', e),
    })
    app.on('browser-window-focus', () => watcher.rescan())
    app.on('will-quit', () => {
      watcher.dispose()
      core.close()
    })

    // Expiry reminders at D-30, D-7, D-1 (the days are a setting), each once, also across restarts.
    const sent = await loadSentReminders(core.dataDir)
    const remind = () => {
      const { notifyDays } = core.inventory.getSettings()
      const due = dueReminders(core.inventory.listCertificates({ now: core.now() }), notifyDays, new Date(), sent)
      for (const r of due) {
        sent.add(reminderKey(r))
        emit({ type: 'expiryReminder', certificateId: certificateId(r.issuer, r.serial), name: r.name, daysLeft: r.daysLeft })
        if (Notification.isSupported()) {
          new Notification({ title: `공동인증서 만료 D-${r.daysLeft}`, body: `${r.name}: 만료 전에 은행이나 인증기관에서 갱신하세요. / Renew before it expires.` }).show()
        }
      }
      if (due.length > 0) void saveSentReminders(core.dataDir, sent).catch((e) => console.error('dojang: could not save reminders', e))
    }
    setTimeout(remind, 10_000).unref()
    setInterval(remind, 6 * 60 * 60 * 1000).unref()
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow()
    })
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}
