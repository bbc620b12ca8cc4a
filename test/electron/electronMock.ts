/**
 * A recording stand-in for the `electron` module (the binary cannot run here). It keeps every option and
 * handler the bootstrap passes so tests can assert the security settings and fail when one is flipped.
 */
import { fork, type Serializable } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, vi } from 'vitest'

export interface Recorded {
  windows: FakeBrowserWindow[]
  ipcHandlers: Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>
  appHandlers: Map<string, ((...args: unknown[]) => unknown)[]>
  permissionRequestHandler?: (wc: unknown, permission: string, callback: (ok: boolean) => void) => void
  permissionCheckHandler?: (...args: unknown[]) => boolean
  headersHandler?: (details: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[] | string> }) => void) => void
  quitCalls: number
  singleInstanceLock: boolean
  exposed: Map<string, unknown>
  invoked: { channel: string; args: unknown[] }[]
  rendererListeners: Map<string, ((...args: unknown[]) => void)[]>
  opened: string[]
  privilegedSchemes: { scheme: string; privileges: Record<string, unknown> }[]
  protocolHandlers: Map<string, (request: { url: string }) => Promise<Response> | Response>
  /** Scripts started with utilityProcess.fork (the token worker). */
  utilityForks: { modulePath: string; options: Record<string, unknown> | undefined }[]
}

export const recorded: Recorded = {
  windows: [],
  ipcHandlers: new Map(),
  appHandlers: new Map(),
  quitCalls: 0,
  singleInstanceLock: true,
  exposed: new Map(),
  invoked: [],
  rendererListeners: new Map(),
  opened: [],
  privilegedSchemes: [],
  protocolHandlers: new Map(),
  utilityForks: [],
}

/**
 * utilityProcess.fork stand-in: records the script and runs the token worker's source as a Node child process, talking
 * through postMessage/'message' like a utility process does (the worker answers over process.send there).
 */
function fakeUtilityFork(modulePath: string, _args?: string[], options?: { env?: NodeJS.ProcessEnv }) {
  recorded.utilityForks.push({ modulePath, options })
  const child = fork(join(__dirname, '..', '..', 'main', 'core', 'stores', 'token', 'tokenWorker.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: options?.env ?? process.env,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'json',
  })
  return {
    get pid() {
      return child.pid
    },
    postMessage: (m: unknown) => child.send(m as Serializable),
    on(event: 'message' | 'exit', listener: (arg: never) => void) {
      if (event === 'message') child.on('message', listener as (m: unknown) => void)
      else child.on('exit', (code) => (listener as (c: number) => void)(code ?? -1))
      return this
    },
    kill: () => child.kill('SIGKILL'),
  }
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler?: (details: { url: string }) => { action: string }
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = h
  }
  devToolsClosed = 0
  send() {}
  closeDevTools() {
    this.devToolsClosed++
  }
  isDestroyed() {
    return false
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static getAllWindows = () => recorded.windows
  static getFocusedWindow = () => recorded.windows[0] ?? null
  webContents = new FakeWebContents()
  loaded: string[] = []
  constructor(readonly options: Record<string, unknown>) {
    super()
    recorded.windows.push(this)
    // Electron emits this for every new webContents; the bootstrap hardens them there.
    for (const h of recorded.appHandlers.get('web-contents-created') ?? []) h({}, this.webContents)
  }
  loadFile(p: string) {
    this.loaded.push(`file:${p}`)
    return Promise.resolve()
  }
  loadURL(u: string) {
    this.loaded.push(u)
    return Promise.resolve()
  }
  show() {}
  focus() {}
  restore() {}
  isMinimized() {
    return false
  }
}

let readyResolve: () => void = () => {}
const ready = new Promise<void>((r) => (readyResolve = r))

export function makeElectronMock(userData: string) {
  return {
    app: {
      requestSingleInstanceLock: () => recorded.singleInstanceLock,
      quit: () => {
        recorded.quitCalls++
      },
      on: (event: string, handler: (...args: unknown[]) => unknown) => {
        recorded.appHandlers.set(event, [...(recorded.appHandlers.get(event) ?? []), handler])
      },
      whenReady: () => ready,
      getPath: () => userData,
      isPackaged: true,
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: Recorded['privilegedSchemes']) => recorded.privilegedSchemes.push(...schemes),
      handle: (scheme: string, h: (request: { url: string }) => Promise<Response> | Response) => recorded.protocolHandlers.set(scheme, h),
    },
    BrowserWindow: FakeBrowserWindow,
    utilityProcess: { fork: fakeUtilityFork },
    ipcMain: {
      handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => Promise<unknown>) => {
        if (recorded.ipcHandlers.has(channel)) throw new Error(`handler registered twice: ${channel}`)
        recorded.ipcHandlers.set(channel, fn)
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: Recorded['permissionRequestHandler']) => (recorded.permissionRequestHandler = h),
        setPermissionCheckHandler: (h: Recorded['permissionCheckHandler']) => (recorded.permissionCheckHandler = h),
        webRequest: { onHeadersReceived: (h: Recorded['headersHandler']) => (recorded.headersHandler = h) },
      },
    },
    shell: { openExternal: (url: string) => (recorded.opened.push(url), Promise.resolve()) },
    Notification: Object.assign(function () {}, { isSupported: () => false }),
    dialog: { showErrorBox: (title: string) => recorded.opened.push(`error:${title}`), showSaveDialog: async () => ({ canceled: true }), showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => recorded.exposed.set(key, api) },
    ipcRenderer: {
      invoke: (channel: string, ...args: unknown[]) => {
        recorded.invoked.push({ channel, args })
        return Promise.resolve({ ok: true, value: null })
      },
      on: (channel: string, fn: (...args: unknown[]) => void) => recorded.rendererListeners.set(channel, [...(recorded.rendererListeners.get(channel) ?? []), fn]),
      removeListener: (channel: string, fn: (...args: unknown[]) => void) =>
        recorded.rendererListeners.set(channel, (recorded.rendererListeners.get(channel) ?? []).filter((f) => f !== fn)),
    },
    fireReady: () => readyResolve(),
  }
}

/**
 * Starts main/index under the mock with ELECTRON_RENDERER_URL set, once per test file (a module loads once), and
 * waits for its window; removes the variable and the user-data folder afterwards.
 */
export function bootWithRendererUrl(mock: ReturnType<typeof makeElectronMock>, userData: string, rendererUrl: string): void {
  beforeAll(async () => {
    process.env.DOJANG_DATA_DIR = join(userData, 'data')
    process.env.ELECTRON_RENDERER_URL = rendererUrl
    await import('../../main/index')
    mock.fireReady()
    await vi.waitFor(() => expect(recorded.windows.length).toBe(1), { timeout: 20_000 })
  })
  afterAll(() => {
    delete process.env.ELECTRON_RENDERER_URL
    rmSync(userData, { recursive: true, force: true })
  })
}
