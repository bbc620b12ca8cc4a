/**
 * The e2e test host: the built renderer (out/renderer) served from 127.0.0.1, Debian Chromium driven by
 * playwright-core, and window.dojang backed by the REAL main-process handlers (main/handlers.ts over
 * main/core/app/core.ts) running in this Node process through the test transport.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { DojangEvent } from '../../common/contract'
import { openCore, type Core } from '../../main/core/app/core'
import type { TokenAccess } from '../../main/core/app/storeRegistry'
import { COMMANDS } from '../../main/core/app/commands'
import type { MountedVolume, VolumeSource } from '../../main/core/stores/removable'
import { createHandlers } from '../../main/handlers'
import type { Handlers } from '../../main/ipc'
import { installTransport, type TransportLog } from './transport'

export const REPO = resolve(__dirname, '..', '..')
export const RENDERER_DIR = join(REPO, 'out', 'renderer')
export const RESULTS_DIR = join(REPO, 'test-results', 'e2e')

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.DOJANG_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS })
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
}

/** A static server for the built renderer on 127.0.0.1 and a random port; nothing outside `dir` is served. */
export async function serveStatic(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const root = resolve(dir)
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
        const file = normalize(join(root, path === '/' ? 'index.html' : path))
        if (file !== root && !file.startsWith(root + sep)) {
          res.writeHead(403).end()
          return
        }
        const body = await readFile(file)
        res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
        res.end(body)
      } catch {
        res.writeHead(404).end()
      }
    })()
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(() => ok())) }
}

export interface TestHostOptions {
  /** NPKI roots on "fixed disks". */
  roots: string[]
  dataDir: string
  /** Mount points of "USB drives" (each needs an NPKI folder at its top to count, as on a real drive). */
  removableRoots?: string[]
  /** Reuse a browser across hosts (one Chromium per test file). */
  browser?: Browser
  /** Where the save dialog "puts" files; default `<dataDir>/../saved`. */
  saveDir?: string
  /** Scan before the page loads, so the first render shows the certificates. Default true. */
  scanFirst?: boolean
  viewport?: { width: number; height: number }
  /** Runs after the core opens (and the first scan) and before the page loads, e.g. to fill the inventory. */
  beforeLoad?: (core: Core) => void | Promise<void>
  /** Extra page scripts (source text) that run before the renderer's own, e.g. performance observers. */
  initScripts?: string[]
  /**
   * Turn the keychain medium on (the real keytar store). The test file must first point this process at a private
   * Secret Service (test/support/secretService.ts).
   */
  keychain?: boolean
  /** 보안토큰: the token worker and modules (a SoftHSM2 token in tests). */
  tokens?: TokenAccess
}

export interface TestHost {
  page: Page
  core: Core
  handlers: Handlers
  url: string
  /** Every event main emitted, in order. */
  events: DojangEvent[]
  /** Every IPC call the page made (method and outcome). */
  calls: TransportLog[]
  /** Console errors, page errors and CSP violations seen in the page. */
  pageErrors: string[]
  /** What the next open-file dialog returns (null = the person cancels). */
  nextOpenPath: string | null
  /** What the next folder dialog returns (null = the person cancels). */
  nextFolder: string | null
  /** Paths chosen by save dialogs so far. */
  savedPaths: string[]
  saveDir: string
  /** Mount points currently "plugged in"; change it and call `mediaChanged()` to simulate a USB event. */
  removableRoots: string[]
  emit(event: DojangEvent): void
  mediaChanged(): Promise<void>
  screenshot(name: string): Promise<string>
  close(): Promise<void>
}

export async function startTestHost(opts: TestHostOptions): Promise<TestHost> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error(`${RENDERER_DIR} is missing: run "npx electron-vite build" (npm test does it)`)
  const ownBrowser = opts.browser === undefined
  const browser = opts.browser ?? (await launchBrowser())
  const server = await serveStatic(RENDERER_DIR)
  const saveDir = opts.saveDir ?? join(opts.dataDir, '..', 'saved')
  await mkdir(saveDir, { recursive: true })

  // Shared by the fake OS (volumes, dialogs) and the host object, which is built only after the first scan.
  const state = { removableRoots: [...(opts.removableRoots ?? [])], nextOpenPath: null as string | null, nextFolder: null as string | null, savedPaths: [] as string[] }
  const volumeSource: VolumeSource = {
    listVolumes: async (): Promise<MountedVolume[]> => state.removableRoots.map((root, i) => ({ root, name: `USB${i + 1}`, removable: true })),
  }
  const events: DojangEvent[] = []
  let forward: (e: DojangEvent) => void = () => {}
  const emit = (e: DojangEvent) => {
    events.push(e)
    forward(e)
  }
  const core = await openCore({ dataDir: opts.dataDir, diskRoots: opts.roots, volumeSource, frontEnd: 'app', emit, ...(opts.keychain ? {} : { secretStore: null }), ...(opts.tokens ? { tokens: opts.tokens } : {}) })
  const handlers = createHandlers(
    core,
    {
      chooseSavePath: async ({ defaultName }) => {
        const p = join(saveDir, defaultName.replace(/[\\/]/g, '_'))
        state.savedPaths.push(p)
        return p
      },
      chooseOpenPath: async () => state.nextOpenPath,
      chooseFolder: async () => state.nextFolder,
    },
  )
  if (opts.scanFirst !== false) await COMMANDS.scan(core, {})
  await opts.beforeLoad?.(core)

  let context: BrowserContext | undefined
  try {
    context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, locale: 'ko-KR' })
    const page = await context.newPage()
    const pageErrors: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text())
    })
    page.on('pageerror', (e) => pageErrors.push(String(e)))
    const transport = await installTransport(page, handlers)
    forward = transport.emit
    for (const content of opts.initScripts ?? []) await page.addInitScript({ content })
    await page.goto(server.url)
    await page.locator('.app').waitFor()

    const host: TestHost = {
      page,
      core,
      handlers,
      url: server.url,
      events,
      calls: transport.calls,
      pageErrors,
      get nextOpenPath() {
        return state.nextOpenPath
      },
      set nextOpenPath(v) {
        state.nextOpenPath = v
      },
      get nextFolder() {
        return state.nextFolder
      },
      set nextFolder(v) {
        state.nextFolder = v
      },
      savedPaths: state.savedPaths,
      saveDir,
      get removableRoots() {
        return state.removableRoots
      },
      set removableRoots(v) {
        state.removableRoots = v
      },
      emit,
      async mediaChanged() {
        const media = (await handlers.listMedia({})) ?? []
        emit({ type: 'mediaChanged', media })
      },
      async screenshot(name) {
        await mkdir(RESULTS_DIR, { recursive: true })
        const path = join(RESULTS_DIR, `${name}.png`)
        await page.screenshot({ path, fullPage: false })
        return path
      },
      async close() {
        await context?.close().catch(() => {})
        core.close()
        await server.close()
        if (ownBrowser) await browser.close()
      },
    }
    return host
  } catch (e) {
    await context?.close().catch(() => {})
    core.close()
    await server.close()
    if (ownBrowser) await browser.close()
    throw e
  }
}
